"""The real data set of Tyresö kommun's kommungemensamma områden (see shared DOMAIN.md).

Every fact here comes from the source documents: kommundirektörens rapporter (februari,
maj, november 2023), kommunplan 2023 with its T2 follow-up, and the KLG presentation. The
OCR scans' å/ä/ö are corrected. Nothing is invented: the ledartröjor are not named in the
documents and stay unassigned; dates the documents do not give are left empty.
"""

from __future__ import annotations

import datetime as dt

# The municipality record (kommun.Kommun, pk=1): what the templates named before the
# portal could serve any municipality.
KOMMUN = {
    "namn": "Tyresö kommun",
    "namn_en": "Tyresö municipality",
    "kortnamn": "Tyresö",
    "postadress": "135 81 Tyresö",
    "organisationsnummer": "212000-0142",
    "kolada_id": "0138",
    "epost": "tyreso.kommun@tyreso.se",
    "telefon": "08-578 291 00",
    "webbplats": "https://www.tyreso.se/",
    "dataskyddsombud_epost": "dataskyddsombud@tyreso.se",
    "tillganglighet_epost": "tyreso.kommun@tyreso.se",
    "tillganglighet_telefon": "08-578 291 00",
    "accentfarg": "#00507a",
    "exempel": False,
    # How the areas came about (the front page's introduction; DOMAIN.md: three co-creation
    # workshops in autumn 2022).
    "inledning": (
        "Hösten 2022 valde invånare, medarbetare och chefer tillsammans ut sju frågor som är för "
        "stora för att en del av kommunen ska kunna lösa dem ensam: de kommungemensamma "
        "områdena."
    ),
    "inledning_en": (
        "In autumn 2022 residents, staff and managers together chose seven questions too big "
        "for one part of the municipality to answer alone: the joint areas."
    ),
}

FASER = [
    (1, "Förstå behovet", "Lyssna på Tyresöborna och förstå vad problemet är i dag."),
    (
        2,
        "Hitta lösningar",
        "Ta fram och testa lösningar i liten skala, lära och misslyckas snabbt.",
    ),
    (3, "Förverkliga lösningarna", "Det som fungerar blir ett nytt ordinarie arbetssätt."),
]

# (nummer, slug, kortnamn, fråga, (fadder, titel))
OMRADEN = [
    (
        1,
        "kontakt-och-bemotande",
        "Kontakt och bemötande",
        "Hur kan vi förbättra möjligheterna till kontakt och bemötande av Tyresöborna?",
        ("Helena Törnqvist", "kommunikationschef"),
    ),
    (
        2,
        "digitalisering",
        "Digitalisering",
        "Hur kan vi förenkla för Tyresöborna med hjälp av digitalisering?",
        ("Gustav Lind", "tf IT- och digitaliseringschef"),
    ),
    (
        3,
        "unga",
        "Unga",
        "Hur kan vi göra så att alla unga får känna trygghet, meningsfullhet och kärlek?",
        ("Elin Waltersson", "chef stöd- och servicekontoret"),
    ),
    (
        4,
        "motesplatser",
        "Mötesplatser",
        "Hur kan vi skapa ett levande samhälle med inkluderande mötesplatser för Tyresöbor, "
        "kultur och föreningsliv?",
        ("Inger Lundin", "chef kultur- och fritidsförvaltningen"),
    ),
    (
        5,
        "inkludering-och-egen-forsorjning",
        "Inkludering och egen försörjning",
        "Hur kan vi öka inkluderingen och få så många självförsörjande invånare som möjligt?",
        ("Anna-Lena Engstedt", "chef arbetsmarknads- och socialförvaltningen"),
    ),
    (
        6,
        "hallbarhet-klimat-och-natur",
        "Hållbarhet, klimat och natur",
        "Hur kan vi jobba för bättre cirkulär ekonomi/hållbarhet, klimat och natur?",
        ("Louise Bergman", "tf chef samhällsbyggnadskontoret"),
    ),
    (
        7,
        "delaktighet",
        "Delaktighet",
        "Hur kan vi göra alla som behövs delaktiga i utmaningar som ingen kan lösa ensam?",
        ("Camilla Nilimaa", "kommunstrateg"),
    ),
]

# The ten political assignments of kommunplan 2023, the overarching one first.
OVERGRIPANDE = "Övergripande – att arbeta kommungemensamt"
OVERGRIPANDE_BESKRIVNING = (
    "Samhället förändras i snabb takt och det krävs högre kapacitet för att utföra den service "
    "som invånarna förväntar sig och har rätt till, och Tyresöbornas behov ska mötas och vara i "
    "fokus. Alla delar i den kommunala verksamheten ska prioritera och agera kommungemensamt. "
    "De utmaningar som ingen kan klara bättre på egen hand ska hanteras gemensamt för största "
    "nytta för invånarna.\n\n"
    "• Prioritera och agera kommungemensamt\n"
    "• Alltid arbeta över gränserna när det ger mervärde\n"
    "• Använda resurser effektivt och samlat för att bibehålla eller förbättra kvalitet"
)
UPPDRAG = [
    ("overgripande-att-arbeta-kommungemensamt", OVERGRIPANDE),
    ("strategisk-kompetensforsorjning", "Strategisk kompetensförsörjning"),
    (
        "en-forskola-och-skola-som-ger-likvardiga-mojligheter",
        "En förskola och skola som ger likvärdiga möjligheter",
    ),
    (
        "omsorg-for-tyresos-aldre-och-funktionsnedsatta",
        "Omsorg för Tyresös äldre och funktionsnedsatta",
    ),
    ("bostader-och-hallbar-infrastruktur", "Bostäder och hållbar infrastruktur i hela Tyresö"),
    ("ordning-och-reda-i-ekonomin", "Ordning och reda i ekonomin"),
    ("minskade-klimatutslapp", "Minskade klimatutsläpp, stärkt park och naturmiljö"),
    ("en-meningsfull-vardag-och-fritid-for-alla", "En meningsfull vardag och fritid för alla"),
    ("ett-socialt-hallbart-tyreso", "Ett socialt hållbart Tyresö för ökad trygghet"),
    (
        "framtidens-tyreso-gymnasium",
        "Framtidens Tyresö Gymnasium och ökad sysselsättning",
    ),
]

# Which areas carry out which assignment (Uppdrag.omraden, by area number): only what the
# documents say. Kommunplan 2023 names the seven areas under the overarching assignment:
# "Arbetet med kommungemensamma områden är alltså ett av de verktyg som kommer att användas för
# att möta det politiska uppdraget". None of the other nine assignments is linked to an area
# in the documents, so they have none here.
UPPDRAG_OMRADEN = {"overgripande-att-arbeta-kommungemensamt": [1, 2, 3, 4, 5, 6, 7]}

KKIK = "KKiK (Kommunens kvalitet i korthet)"
SCB = "SCB:s medborgarundersökning"
EGEN = "Kommunens egen bedömning i uppföljningen av kommunplanen"

# (slug, namn, horisont, enhet, riktning, källa, startläge (år, Tyresö, riket) or None)
INDIKATORER = [
    (
        "medskapande-som-leder-till-forbattring",
        "Medskapande med invånare som leder till förbättring har ökat",
        "1-2ar",
        "bedomning",
        "oka",
        EGEN,
        None,
    ),
    (
        "hogre-kvalitet-samma-eller-farre-resurser",
        "Högre kvalitet för invånaren genom nya arbetssätt över gränserna – oförändrad eller "
        "lägre resursmängd",
        "1-2ar",
        "bedomning",
        "oka",
        EGEN,
        None,
    ),
    (
        "bibehallen-kvalitet-farre-resurser",
        "Bibehållen kvalitet för invånaren genom nya arbetssätt över gränserna – lägre resursmängd",
        "1-2ar",
        "bedomning",
        "bibehalla",
        EGEN,
        None,
    ),
    (
        "samarbeten-med-aktorer-utanfor-kommunen",
        "Antal kvalitetshöjande och/eller resurseffektiva samarbeten med aktörer utanför den "
        "kommunala verksamheten har ökat",
        "1-2ar",
        "antal",
        "oka",
        EGEN,
        None,
    ),
    (
        "delaktighetsindex",
        "Kommunens delaktighetsindex (KKiK) har ökat",
        "1-2ar",
        "procent",
        "oka",
        KKIK,
        (2021, 58, 58),
    ),
    (
        "insyn-och-inflytande",
        "Andelen invånare som anser att deras möjlighet till insyn och inflytande över "
        "kommunens beslut och verksamheter har ökat",
        "mandatperiod",
        "procent",
        "oka",
        SCB,
        (2021, 27, 19),
    ),
    (
        "nojda-med-mojligheter-att-paverka",
        "Andelen invånare som är nöjda med möjligheterna att påverka kommunala verksamheter är "
        "bibehållen eller har ökat",
        "mandatperiod",
        "procent",
        "bibehalla",
        SCB,
        (2021, 54, 39),
    ),
    (
        "delaktighetsindex-bland-25-procent-basta",
        "Delaktighetsindex har ökat och är bland de 25 % bästa kommunerna (KKiK)",
        "mandatperiod",
        "procent",
        "topp25",
        KKIK,
        None,
    ),
    (
        "grunduppdrag-inom-ekonomins-ramar",
        "Kommunen levererar på sitt grunduppdrag med god kvalitet inom ekonomins ramar/med "
        "effektivt resursutnyttjande",
        "mandatperiod",
        "bedomning",
        "bedomning",
        "Årsredovisningen",
        None,
    ),
    (
        "samla-de-som-behovs",
        "Kommunen kan (kunskap och förmåga) samla de som behövs för att lösa "
        "samhällsutmaningar och ställa om verksamheten för att förverkliga innovationer/nya "
        "sätt att leverera värde för Tyresöborna",
        "mandatperiod",
        "bedomning",
        "bedomning",
        EGEN,
        None,
    ),
]

# Periods of 2023: (tertial, closed). All three are long over; their deadlines are not in
# the documents and stay empty.
PERIODER_2023 = [1, 2, 3]

# The T2 2023 follow-up of the overarching assignment: status grön. A summary of its text.
T2_2023_SAMMANFATTNING = (
    "Ledartröjorna har fortsatt sitt arbete och avgränsat sina områden med hjälp av kunskap "
    "från invånare och medarbetare. Perioden har främst handlat om utbildning i att leda "
    "innovationsprocesser och att förstå nuläget; några områden har börjat beskriva det "
    "önskade nyläget. Samarbetet med kommunledningsgruppen har blivit mer konkret, bland annat "
    "om hur hinder för samarbete över förvaltningsgränserna kan röjas undan.\n\n"
    "Medskapande med invånarna är kärnan i arbetet, och många tillfällen har genomförts: "
    "Tyresöborna är med både när problemen identifieras och när lösningarna tas fram.\n\n"
    "Ett arbete med idéburet offentligt partnerskap (IOP) har påbörjats och en samordnare har "
    "utsetts. Invånare ska få komma och berätta på ”antikrångel”-tider, för att hitta snabba "
    "åtgärder som förenklar för Tyresöborna. Enhetschefer från alla förvaltningar har samlats "
    "på förenklingsfredagar för att minska onödig administration; flera förenklingar är gjorda "
    "och fler kommer under hösten.\n\n"
    "Kommunplan och budget 2024 är beslutade utifrån en omvärlds- och behovsanalys för hela "
    "Tyresö kommun, inte per förvaltning. Ledarbrevet är kommunicerat till alla medarbetare, "
    "och kommundirektören har träffat alla chefer och strategiska ledare i grupper om högst "
    "12 för fördjupad dialog.\n\n"
    "Uppdraget genomförs enligt plan och kommer levereras i tid."
)
# The document gives no publication date; the loader uses the end of the tertial (31 August).
T2_2023_PUBLICERAD = dt.datetime(2023, 8, 31, 12, 0)

RAPPORTER = [
    (
        "kommundirektorens-rapport-februari-2023",
        "Kommundirektörens rapport februari 2023",
        dt.date(2023, 2, 1),
        "Hösten 2022 bjöds Tyresöbor, medarbetare och chefer vid tre tillfällen in till "
        "medskapande i workshops. Resultatet är sju kommungemensamma områden, var och en med "
        "en fadder i kommunledningsgruppen. Arbetet följer en metod för innovation – förstå "
        "behovet, hitta lösningar och förverkliga lösningarna – och inleds oftast med "
        "medskapande tillsammans med Tyresöbor. Varje område ska ledas av två ledartröjor; med "
        "en vecka kvar av ansökningstiden hade 40 personer från alla verksamheter sökt.\n\n"
        "Den 1 februari 2023 startade en ny omgång av Ledarskapsakademin, kommunens "
        "ledarförberedande utbildning, i samarbete med sju andra stockholmskommuner (Ekerö, "
        "Haninge, Järfälla, Nacka, Sollentuna, Täby och Vaxholm). Kommunledningsgruppen har valt "
        "ut tolv deltagare, som var och en har fått en erfaren chef som mentor.\n\n"
        "Rekryteringen av stabschef för IT och digitalisering pågår; Gustav Lind är "
        "tillförordnad till och med sista juni.",
    ),
    (
        "kommundirektorens-rapport-maj-2023",
        "Kommundirektörens rapport maj 2023",
        dt.date(2023, 5, 1),
        "I de kommungemensamma områdena utforskas hur det är för de Tyresöbor som kommunen i "
        "dag inte har lösningar för, genom att lyssna på deras berättelser: personer som saknar "
        "egen försörjning, barn som inte känner sig lyssnade på av vuxna, Tyresöbor som är "
        "ensamma mot sin vilja, och hur återbruket kan öka. Inom området unga har fältarna satt "
        "upp klotterplank, fokusgrupper hålls på grundskolor och berättelser hämtas från unga i "
        "Tyresös fotbollslag. Effektmålen är delvis generella och delvis specifika för varje "
        "område.\n\n"
        "En ny rutin gäller under semesterperioden vecka 27–33: varje vecka inleds med ett möte "
        "måndag 10.00–10.30 och avslutas med ett möte fredag 10.00–10.30.\n\n"
        "Rekryteringen av kontorschef för samhällsbyggnad startas om efter sommaren; "
        "rekryteringen av stabschef för IT och digitalisering är i slutskedet.",
    ),
    (
        "kommundirektorens-rapport-november-2023",
        "Kommundirektörens rapport november 2023",
        dt.date(2023, 11, 1),
        "Den 29 november genomförs en checkpoint där Tyresöborna är inbjudna att tycka till om "
        "arbetet i de kommungemensamma områdena, särskilt om digitala lösningar för att möta "
        "längtan efter gemenskap, nya möjligheter att återbruka och förbättrad service till "
        "företagare. En station samlar idéer om var kommunen behöver arbeta med antikrångel.\n\n"
        "Aktiverat läge: arbetet med handlingsplanens åtgärder fortsätter. SSPF (socialtjänst, "
        "skola, polis, fritid) har kommit igång under ledning av två samordnare, och det "
        "undersöks om sociala insatsgrupper (SIG) kan ingå i arbetet.\n\n"
        "Kommunledningsgruppen har påbörjat en ettårig utbildning i Utvecklande ledarskap (UL) "
        "och Indirekt ledarskap (IL).",
    ),
]

CHECKPOINT = {
    "titel": "Checkpoint för de kommungemensamma områdena",
    "datum": dt.date(2023, 11, 29),
    "beskrivning": (
        "Tyresöborna är inbjudna att komma med synpunkter och tankar om arbetet i de "
        "kommungemensamma områdena, där kommunen kraftsamlar över gränserna. Invånarna var med "
        "och valde områdena; nu följer vi upp arbetet tillsammans."
    ),
    "teman": [
        "Digitala lösningar för att möta längtan efter gemenskap",
        "Nya möjligheter att återbruka",
        "Förbättrad service till företagare",
        "Antikrångel: en station som samlar idéer om var vi behöver förenkla",
    ],
}

# The portal's accessibility statement (tillgänglighetsredogörelse, DOS-lagen 13 §) as first
# published. Administrators keep it up to date in Django admin; the loader only creates it
# and never overwrites an administrator's later edits (matched on the service's name).
TILLGANGLIGHET = {
    "organisation": "Tyresö kommun",
    "tjanst": "Kommungemensamt – Tyresö kommuns kommungemensamma områden",
    "efterlevnad": "delvis",
    "bedomd": dt.date(2026, 11, 22),
    "senast_uppdaterad": dt.date(2026, 11, 22),
    "utvarderingsmetod": (
        "Kommunen har granskat webbplatsen själv. Varje publik sida och arbetsytan testas "
        "automatiskt med verktyget axe-core mot WCAG 2.1 nivå A och AA vid varje ändring, och "
        "sidorna har prövats med enbart tangentbord, utan JavaScript, med förstoring till 200 "
        "procent och med skärmläsare. Automatiska tester hittar inte alla brister, därför "
        "redovisar vi kända brister nedan."
    ),
    "rapportera_text": (
        "Om du upplever problem som inte står beskrivna på den här sidan, eller om du behöver "
        "innehåll i ett annat format, kontakta oss så hjälper vi dig. Berätta vilken sida det "
        "gäller och vad som inte fungerar."
    ),
    "kontakt_epost": "tyreso.kommun@tyreso.se",
    "kontakt_telefon": "08-578 291 00",
    "svarstid": "Vi svarar normalt inom två arbetsdagar.",
}
KANDA_BRISTER = [
    (
        "Uppföljningarnas sammanfattningar från 2023 är förkortade återgivningar av "
        "originaldokumenten. Originalen är skannade PDF-filer som inte är tillgängliga och "
        "därför inte publiceras här.",
        "utanfor",
        "",
        "Vi publicerar all text som vanlig webbtext i stället för som PDF.",
    ),
    (
        "Sammanfattningarna av kommundirektörens rapporter och uppföljningarnas texter finns "
        "bara på svenska, även på de engelska sidorna.",
        "betungande",
        "3.1.2 Språk för delar",
        "Texterna är märkta som svenska så att skärmläsare läser dem rätt.",
    ),
    (
        "Jämförelsen mellan två perioders texter i tertialrapporten visar borttagna och "
        "tillagda ord; den är svår att följa med skärmläsare när texten är lång.",
        "forenlighet",
        "1.3.1 Information och relationer",
        "Status före och efter och om texten ändrats anges alltid i klartext. Vi utreder ett "
        "bättre sätt att visa ändringarna under 2027.",
    ),
]
