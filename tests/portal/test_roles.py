"""portal.roles.roles_for reads each user's own roles in one query, and a change of role counts
from the next fresh user object on."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from omraden.models import Ledartroja
from portal import roles
from tests.cast import make_cast

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> roles.Roles:
    # A new object, as each request has: roles are remembered per user object.
    return roles.roles_for(User.objects.get(pk=user.pk))


def test_each_user_their_own_roles_in_one_query(django_assert_num_queries: Any) -> None:
    cast = make_cast()
    users = cast.users
    expected = {
        "medarbetare": (frozenset({roles.MEDARBETARE}), frozenset(), frozenset()),
        "ledartroja_a": (
            frozenset({roles.MEDARBETARE}),
            frozenset({cast.omrade_a.pk}),
            frozenset(),
        ),
        "ledartroja_b": (
            frozenset({roles.MEDARBETARE}),
            frozenset({cast.omrade_b.pk}),
            frozenset(),
        ),
        "fadder_a": (frozenset({roles.MEDARBETARE}), frozenset(), frozenset({cast.omrade_a.pk})),
        "klg": (
            frozenset({roles.MEDARBETARE, roles.KOMMUNLEDNINGSGRUPPEN}),
            frozenset(),
            frozenset(),
        ),
    }
    for _ in range(2):  # the same on the same connection, one user after another
        for name, (groups, leads, sponsors) in expected.items():
            user = User.objects.get(pk=users[name].pk)
            # 1 groups, active ledartröja areas and fadder areas as one UNION ALL.
            with django_assert_num_queries(1):
                r = roles.roles_for(user)
            assert (r.groups, r.ledartroja_for, r.fadder_for) == (groups, leads, sponsors), name
            # Asked again for the same user object (the same request): no query.
            with django_assert_num_queries(0):
                assert roles.roles_for(user) is r


def test_a_changed_role_counts_on_the_next_request() -> None:
    cast = make_cast()
    user = cast.users["ledartroja_a"]
    assert _fresh(user).ledartroja_for == {cast.omrade_a.pk}
    Ledartroja.objects.filter(person__user=user).update(aktiv=False)
    user.groups.add(Group.objects.get_or_create(name=roles.KOMMUNLEDNINGSGRUPPEN)[0])
    after = _fresh(user)
    assert after.ledartroja_for == frozenset()
    assert after.is_klg
    assert roles.roles_for(None) is roles.ANONYMOUS
