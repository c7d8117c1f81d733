"""One approved input as the public lists show it (an area page, /tyck-till/).

Written out here, not in a template: an area page lists ten of them on every visit, and the
template's variables, `if`s, filters and `blocktranslate`s for each cost about a tenth of the
page's CPU (~1 ms of ~10). Both lists build `PublicInput`s, so the markup has one source;
templates/omraden/_inspel_lista.html puts `item.html` in its list.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from portal.templatetags.dates import long_date


@dataclass
class PublicInput:
    pk: int
    typ_label: str
    skapad: datetime
    publicerad_text: str
    svar: str = ""
    public_name: str = ""
    # Shown only where the list mixes areas (/tyck-till/); None on the area's own page.
    area_name: str | None = None
    # Set only when the initiative is public.
    initiative_title: str | None = None
    # The follow-up's period (its short name) when the input was taken up in one.
    period_kort: str | None = None

    @property
    def html(self) -> SafeString:
        esc = html.escape
        heading = esc(self.typ_label)
        if self.area_name:
            heading += f" – {esc(self.area_name)}"
        when = template_localtime(self.skapad)
        meta = f'<time datetime="{when.isoformat()}">{esc(long_date(when))}</time>'
        if self.public_name:
            meta += f" · {esc(self.public_name)}"
        parts = [
            '<li class="inspel-item">',
            f'<article aria-labelledby="inspel-{self.pk}-rubrik">',
            f'<h3 id="inspel-{self.pk}-rubrik" class="inspel-rubrik">{heading}</h3>',
            f'<p class="muted">{meta}</p>',
            f"<p>{linebreaksbr(self.publicerad_text or '')}</p>",
        ]
        if self.svar:
            answers = gettext("The municipality answers:")
            parts += [
                '<div class="inspel-svar">',
                f"<p><strong>{answers}</strong></p>",
                f"<p>{linebreaksbr(self.svar)}</p>",
                "</div>",
            ]
        done = []
        if self.initiative_title is not None:
            done.append(
                gettext("led to the initiative “%(title)s”") % {"title": esc(self.initiative_title)}
            )
        if self.period_kort is not None:
            done.append(
                gettext("taken up in the follow-up %(period)s") % {"period": esc(self.period_kort)}
            )
        if done:
            # Outside the f-string: makemessages does not see a gettext() inside one.
            said = gettext("You said – we did:")
            parts.append(f'<p class="vi-gjorde"><strong>{said}</strong> {"; ".join(done)}</p>')
        parts += ["</article>", "</li>"]
        return mark_safe("\n".join(parts))  # noqa: S308 – every value above is escaped
