"""Extract the strategy framework and the référentiel d'évaluation from the contract text.

Build-time tool (reads the contract copied in qpv_data/contrat, never used by the app): its output
qpv_data/framework.yaml is committed, reviewed by hand, and validated by data/framework.py.

The référentiel d'évaluation (each orientation's `referentiel`) is hand-corrected since issue 19
and this tool no longer writes it: it keeps the committed one as it is. Read as printed, a stem
paragraph and the bullets under it are not the lines the conversion gives (a stem is the `lead`
of its bullets, breakdown bullets belong to their indicator, time hints are notes, a table row cut
by a page break lands in the wrong column: 9.3), and each indicator carries a stable `key`, the
key of the follow-up values, which no regeneration may renumber. `parse_referentiel` is kept only
for comparing a new conversion of the contract with the committed référentiel, by hand.
The contract text comes from a PDF conversion: table cells arrive as tab-separated
<p>…</p> blocks, some labels precede their content and some follow it; the few blocks the
conversion scrambled are corrected in OVERRIDES below, with the reason.
"""

from __future__ import annotations

import difflib
import html
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "qpv_data" / "contrat" / "contrat-de-ville-arc-quartiers-2030.txt"  # copied from ../shared/seed (PROVENANCE.md)

LABELS = [
    ("resultats_attendus", re.compile(r"^R[ée]sultats attendus\s*$", re.I)),
    ("acteurs", re.compile(r"^Acteurs\s*$")),
    ("indicateurs_suivi", re.compile(r"^Indicateurs de suivi\s*$")),
    ("dispositifs", re.compile(r"^Dispositifs mobilis[ée]s\s*/\s*mobilisables\s*\(non exhaustifs\)")),
    (
        "pistes_action",
        re.compile(
            r"^(Modalit[ée]s? et pistes d.actions?|Pistes d.actions?|Actions propos[ée]es|Autres pistes d.action|"
            r"Pistes d.intervention compl[ée]mentaires.*|Pistes d.actions? à poursuivre et renforcer)\s*:?",
            re.I,
        ),
    ),
]

QUARTIER_PATTERNS = {
    "clos-des-roses": re.compile(r"Clos des Roses|Musiciens", re.I),
    "la-victoire": re.compile(r"\bVictoire\b|Maréchaux", re.I),
    "vivier-corax": re.compile(r"Vivier Corax|Pompidou|Royallieu|Peupleraie", re.I),
    "echarde": re.compile(r"[ée]charde", re.I),
    "jean-moulin": re.compile(r"Jean Moulin", re.I),
}

# Quartiers an objective explicitly targets (its title or an explicit statement of scope).
TARGETS = {
    "3.3": (
        ["clos-des-roses", "la-victoire", "vivier-corax", "echarde"],
        "« une équipe de prévention spécialisée qui interviendrait [...] sur les 3 QPV et le square de l'écharde »",
    ),
    "9.1": (
        ["clos-des-roses", "la-victoire"],
        "Titre : « Poursuivre les projets de rénovation urbains au Clos des Roses et à la Victoire »",
    ),
    "9.2": (["vivier-corax"], "Titre : « Renforcer les interventions en matière de cadre de vie sur le QPV Vivier Corax »"),
    "10.1": (
        ["clos-des-roses", "la-victoire"],
        "Titre : « … notamment dans le cadre des PRU du Clos des Roses et de la Victoire »",
    ),
}

ORIENTATIONS = {
    1: ("education", "Assurer la Réussite Educative dans les QPV"),
    2: (
        "education",
        "Renforcer le soutien à la parentalité, en confortant les familles – notamment monoparentales - dans leur fonction éducative",
    ),
    3: ("education", "Garantir la tranquillité publique et lutter contre les phénomènes de délinquance"),
    4: (
        "education",
        "Promouvoir les initiatives citoyennes, solidaires et la vie associative, notamment en direction de la jeunesse",
    ),
    # the orientation's own heading; the summary table's garbled wording is kept in ORIENTATION_TITLE_VARIANTS
    5: ("sante", "Relayer et promouvoir les actions de santé et de prévention en direction des différents publics des QPV"),
    6: (
        "sante",
        "Favoriser le bien-être et la santé mentale des habitants, et améliorer la prise en charge des conduites addictives",
    ),
    7: ("emploi", "Renforcer l'accès à l'emploi des habitants des QPV"),
    8: ("emploi", "Favoriser un développement économique inclusif"),
    9: ("cadre-de-vie", "Renforcer l'attractivité des QPV"),
    10: ("cadre-de-vie", "Conforter la dynamique d'amélioration du cadre de vie"),
}


# Orientation titles as the summary table prints them, where they differ from the heading.
ORIENTATION_TITLE_VARIANTS = {
    5: "Relayer et promouvoir les actions et de prévention santé en direction des différents publics des QPV",
}


def fix_slips(objs: dict[str, dict]) -> None:
    """Slips of the PDF-to-text conversion, corrected with their reason (the rest is as extracted)."""
    # 8.1: the five bullets after « Orientation des jeunes … » are footnote 9's list of needs
    # (« Subsistent des besoins en matière de : »), printed under the table: not actions.
    ob = objs["8.1"]
    needs = ob["pistes_action"][4:]
    assert needs and needs[0].startswith("Connaissance par les demandeurs"), needs
    ob["pistes_action"] = ob["pistes_action"][:4]
    ob["notes"] = [n + " " + " ; ".join(x.rstrip(" ;.") for x in needs) + "." if n.startswith("⁹") else n for n in ob["notes"]]
    # 10.3: « Pistes d'actions à poursuivre et renforcer : » split into a label and a spurious item
    objs["10.3"]["pistes_action"] = [x for x in objs["10.3"]["pistes_action"] if x != "à poursuivre et renforcer"]
    # 10.1: the footnote mark ¹⁴ is glued to « GUSP » in the title
    objs["10.1"]["title"] = objs["10.1"]["title"].replace("GUSP¹⁴", "GUSP")
    # 7.4: the Cité Lab bullet runs over a page break and arrives as two items
    d = objs["7.4"]["dispositifs"]
    i = next(k for k, x in enumerate(d) if x.startswith("Dispositif Cité Lab"))
    if d[i + 1].startswith("dans leurs éventuels projets"):
        d[i : i + 2] = [d[i] + " " + d[i + 1]]


def clean(s: str) -> str:
    s = html.unescape(s)
    s = re.sub(r"</?(p|ul|li|i|b|br|strong|em)[^>]*>", "\n", s)
    s = s.replace("**", "")
    s = re.sub(r"\^\{([^}]*)\}", r"\1", s)
    return s


def items(text: str) -> list[str]:
    out = []
    for raw in re.split(r"\n|\t|\s[•▪○]\s", clean(text)):
        t = raw.strip()
        t = re.sub(r"^[-•▪○➤➢□]\s*", "", t).strip()
        t = re.sub(r"\s+", " ", t)
        if t and t not in ("|", "--", "---") and not re.fullmatch(r"[-|]+", t):
            out.append(t)
    return out


def summary_titles(lines: list[str]) -> dict[str, str]:
    """Objective titles as printed in the summary table « Objectifs Stratégiques et Opérationnels »."""
    start = next(i for i, l in enumerate(lines) if l.startswith("Objectifs Stratégiques et Opérationnels"))
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == "EDUCATION ET VIVRE ENSEMBLE")
    titles = {}
    for para in re.findall(r"<p>(.*?)</p>", "\n".join(lines[start:end])):
        m = re.match(r"^(\d{1,2}\.\d)\s+(.*)$", para.strip())
        if m:
            titles[m[1]] = m[2].strip()
    return titles


def objective_blocks(lines: list[str]):
    stop = next(i for i, l in enumerate(lines) if l.startswith("PRINCIPES DE GOUVERNANCE ET D'ORGANISATION") and i > 100)
    starts = [i for i in range(300, stop) if "Objectif opérationnel" in lines[i]]
    for k, i in enumerate(starts):
        j = starts[k + 1] if k + 1 < len(starts) else stop
        yield lines[i:j]


END_OF_BLOCK = re.compile(
    r"^(\*\*)?ORIENTATION|^Coordination et gouvernance|^SANTE$|^EMPLOI$|^CADRE DE VIE|^Objectif opérationnel"
)


def parse_objective(block: list[str]) -> dict:
    text = "\n".join(block)
    # Line 1088-style blocks: everything on one line separated by ** markers
    text = text.replace("****", "\n")
    flat = [l for l in text.split("\n")]
    # drop the trailing orientation header of the next block
    body: list[str] = []
    for n, l in enumerate(flat):
        if n > 0 and END_OF_BLOCK.match(l.strip()):
            break
        body.append(l)
    first = body[0].replace("Objectif opérationnel", "").strip(" \t*")
    rest = body[1:]
    if not first:
        while rest and not rest[0].strip(" *\t"):
            rest = rest[1:]
        first = rest[0].strip(" \t*")
        rest = rest[1:]
    for _label, rx in LABELS:
        m = rx.match(first)
        if m:
            raise ValueError(f"label before title: {first}")
    m = re.match(r"^(\d{1,2}\.\d)\.?\s+(.*)$", first)
    if not m:
        raise ValueError(f"no objective number in {first!r}")
    num, title = m[1], m[2].strip()
    sections: dict[str, list[str]] = {k: [] for k, _ in LABELS}
    current = "resultats_attendus"  # text before the first label is résultats attendus (PDF layout)
    for raw in rest:
        for cell in raw.split("\t"):
            c = clean(cell).strip(" *")
            hit = None
            for label, rx in LABELS:
                mm = rx.match(c)
                if mm:
                    hit = (label, c[mm.end() :])
                    break
            if hit:
                current = hit[0]
                if hit[0] == "pistes_action":
                    pass
                tail = hit[1].strip(" :")
                if tail:
                    sections[current].extend(items(tail))
            else:
                if c.strip() in ("Objectif opérationnel",):
                    continue
                sections[current].extend(items(c))
    return {"number": num, "title": title, **sections, "_raw": "\n".join(body)}


def parse_referentiel(lines: list[str]) -> dict[int, dict]:
    start = next(i for i, l in enumerate(lines) if l.startswith("RÉFÉRENTIEL D'ÉVALUATION"))
    end = next(i for i, l in enumerate(lines) if l.startswith("ANNEXES") and i > start)
    out: dict[int, dict] = {}
    cur = None
    in_general = False
    for l in lines[start:end]:
        m = re.match(r"^Orientation (?:stratégique )?(\d+) : (.*)$", l)
        if m:
            cur = {
                "title": m[2].strip().rstrip("."),
                "axes": [],
                "general": {"indicators": [], "questions": [], "sources": [], "notes": []},
            }
            out[int(m[1])] = cur
            in_general = False
            continue
        if cur is None:
            continue
        if l.startswith("Indicateurs de suivi et/ou question"):
            in_general = True
            note = re.sub(
                r"^Indicateurs de suivi et/ou question évaluative pour l.(orientation stratégique|objectif général)(\.\.\.)?",
                "",
                l,
            ).strip()
            if note:
                cur["general"]["notes"].append(note)
            continue
        if (
            l.startswith("Axe de travail")
            or l.startswith("¹⁵")
            or l.startswith("- L'organisation")
            or l.startswith("- La diffusion")
        ):
            continue
        if re.match(r"^(La santé|L'Emploi|Cadre de vie|Education et vivre ensemble)$", l.strip()):
            in_general = False
            continue
        if in_general:
            t = l.strip()
            if not t or t == "Indicateurs de suivi :":
                continue
            t = re.sub(r"^[-•]\s*", "", t)
            g = cur["general"]
            if t.startswith("Source") or t.startswith("(Enquête") or t.startswith("Source bailleurs"):
                g["sources"].append(t)
            elif "?" in t:
                # a question may carry its source in parentheses
                g["questions"].append(t)
            else:
                g["indicators"].append(t)
            continue
        if "\t" in l:
            cells = l.split("\t")
            if len(cells) == 4 and len(cells[1].split()) <= 4 and cells[0].startswith("Soutenir dynamiques"):
                # OS9: the PDF split the axis label over two columns ("Soutenir dynamiques transition
                # écologiques développer mobilités douces" + "les de et les"); rebuilt from objective 9.4's wording
                cells = ["Soutenir les dynamiques de transition écologiques et développer les mobilités douces"] + cells[2:]
            while len(cells) < 3:
                cells.append("")
            axis_cell, ind_cell, q_cell = cells[0], cells[1], "\t".join(cells[2:])
            axis = " ".join(items(axis_cell))
            inds = items(ind_cell)
            qs = items(q_cell)
            if axis and cur["axes"] and axis[0].islower():
                cur["axes"][-1]["axis"] += " " + axis  # an axis label cut by a page break
                axis = ""
            if axis:
                cur["axes"].append({"axis": axis, "indicators": [], "sources": [], "questions": []})
            if not cur["axes"]:
                continue
            ax = cur["axes"][-1]
            for t in inds:
                if (
                    re.match(r"^(Sources?|Sources éventuelles)\s*(éventuelles)?\s*:?", t)
                    or t.startswith("- extraction")
                    or t.startswith("- Enquête")
                    or t.startswith("Source ")
                ):
                    ax["sources"].append(t)
                elif ax["sources"] and t.startswith(("extraction", "Enquête")):
                    ax["sources"].append(t)
                else:
                    ax["indicators"].append(t)
            ax["questions"].extend(qs)
    return out


# Cells whose line breaks the PDF conversion lost (one string for a whole list), or that it
# scrambled (7.4: the title swallowed a result, the results swallowed half the actors).
# Each value is the contract's own wording, only split where the printed table had line breaks.
OVERRIDES = {
    "1.1": {
        "resultats_attendus": [
            "Réduction de l'écart du taux de réussite au brevet et au baccalauréat",
            "Réduction de la part d'élèves décrocheurs et des NEETS",
        ],
        "acteurs": [
            "Education Nationale (Etablissement scolaire, CIO...)",
            "Ville (Pole Jeunesse, Centres sociaux) et CCAS (PRE, MDP)",
            "Conseil Départemental",
            "Conseil Régional",
            "Sous-Préfecture",
            "Associations locales",
        ],
        "indicateurs_suivi": [
            "Taux de Réussite au Brevet et au Baccalauréat",
            "Fréquentation des activités proposées sur le temps scolaire, péri et extra-scolaire",
        ],
    },
    "3.1": {
        "acteurs": [
            "Police Nationale",
            "ARC (CISPD)",
            "Ville, dont police municipale",
            "Acteurs sociaux",
            "Protection Judiciaire de la Jeunesse",
            "Services Pénitentiaires d'Insertion et de Probation",
        ]
    },
    "3.3": {
        "acteurs": [
            "Conseil Départemental",
            "Ville notamment Pole Jeunesse, Centre social, MDP",
            "Etablissements scolaires",
            "Police Nationale",
            "Associations de proximité, associations sportives",
            "ARC (CISPD)",
            "Ville, dont police municipale",
            "Acteurs sociaux",
            "Protection Judiciaire de la Jeunesse",
        ]
    },
    "5.2": {
        "resultats_attendus": [
            "Réduction des phénomènes de grossesses précoces",
            "Un meilleur accès aux campagnes de prévention et une meilleure mobilisation par les habitantes du territoire des structures de santé",
        ],
        "acteurs": [
            "ARS",
            "Ville",
            "Conseil Départemental",
            "CAF",
            "CPAM",
            "PMI",
            "AMI",
            "CPTS",
            "Planning familial, CIDFF",
            "Education Nationale",
            "Associations locales",
        ],
    },
    "5.4": {
        "acteurs": [
            "ARC : Cyberbase",
            "Ville",
            "Associations locales telles que l'AMI, le CRL, Cap Réussite, ...",
            "Bailleurs sociaux",
            "CPAM",
            "CPTS",
            "Département",
            "CAF",
        ]
    },
    "7.4": {
        "title": "Sensibiliser et accompagner à l'entrepreneuriat",
        "resultats_attendus": [
            "Plus grande sensibilisation des habitants des quartiers prioritaires à l'entrepreneuriat et à la reprise d'activité",
            "Développement de projets entrepreneuriaux portés par des habitants des quartiers prioritaires",
            "Pérennisation de ces projets entrepreneuriaux",
        ],
        "acteurs": [
            "Conseil régional",
            "Conseil départemental",
            "DIRECCTE",
            "Caisse des Dépôts et Consignations",
            "CCI / CMA / Chambre d'Agriculture",
            "BGE Picardie",
            "Oise-Est Initiative",
            "Pôle Emploi",
            "Association poule Droit à l'Initiative Economique (ADIE)",
            "AGEFIPH",
            "Rebond Cadre",
            "UTC (pépinière)",
            "CAE (coopérative d'activité et d'emploi)",
            "Maison de l'Initiative",
            "Réseau Entreprendre Picardie",
        ],
        "indicateurs_suivi": [
            "Evolution du nombre d'actions d'information autour de la création et de la reprise d'activité en direction des habitants des quartiers prioritaires",
            "Evolution du nombre de créations d'entreprises portées par des habitants des quartiers prioritaires",
        ],
    },
    "9.3": {
        "acteurs": [
            "ARC",
            "Ville de Compiègne",
            "DDT",
            "Bailleurs sociaux (OPAC de l'Oise, Picardie Habitat)",
            "ANRU",
            "Conseil départemental",
            "Conseil régional",
        ]
    },
}

FOOTNOTE = re.compile(r"^[⁰¹²³⁴⁵⁶⁷⁸⁹]+\s")


def main() -> int:
    # one PDF block arrives on a single line with "****" between cells
    lines = SEED.read_text(encoding="utf-8").replace("****", "\n").split("\n")
    summary = summary_titles(lines)
    objectives = [parse_objective(b) for b in objective_blocks(lines)]
    ref = parse_referentiel(lines)
    orientations = []
    for n, (pillar, title) in ORIENTATIONS.items():
        objs = []
        for o in objectives:
            if int(o["number"].split(".")[0]) != n:
                continue
            raw = o.pop("_raw")
            o.update(OVERRIDES.get(o["number"], {}))
            notes, questions = [], []
            for field in ("resultats_attendus", "acteurs", "indicateurs_suivi", "dispositifs", "pistes_action"):
                kept = []
                for t in o[field]:
                    if FOOTNOTE.match(t):
                        notes.append(t)
                    elif t.startswith("Question évaluative"):
                        questions.append(re.sub(r"^Question évaluative\s*:\s*", "", t))
                    else:
                        kept.append(t)
                o[field] = kept
            mentions = [q for q, rx in QUARTIER_PATTERNS.items() if rx.search(raw) or rx.search(o["title"])]
            tgt, basis = TARGETS.get(o["number"], ([], ""))
            objs.append(
                {
                    "id": o["number"],
                    "title": o["title"],
                    "title_summary_table": summary.get(o["number"], ""),
                    "resultats_attendus": o["resultats_attendus"],
                    "acteurs": o["acteurs"],
                    "indicateurs_suivi": o["indicateurs_suivi"],
                    "dispositifs": o["dispositifs"],
                    "pistes_action": o["pistes_action"],
                    "questions_evaluatives": questions,
                    "notes": notes,
                    "target_quartiers": tgt,
                    "target_basis": basis,
                    "mentioned_quartiers": mentions,
                }
            )
        r = ref.get(n, {})
        orientations.append(
            {
                "number": n,
                "pillar": pillar,
                "title": title,
                **({"title_summary_table": ORIENTATION_TITLE_VARIANTS[n]} if n in ORIENTATION_TITLE_VARIANTS else {}),
                "title_referentiel": r.get("title", ""),
                "objectives": objs,
                "referentiel": {"axes": r.get("axes", []), "general": r.get("general", {})},
            }
        )
    fix_slips({ob["id"]: ob for o in orientations for ob in o["objectives"]})
    # Link each référentiel axis to the operational objective whose title it repeats. The
    # contract prints axis 3.3 (équipe de prévention spécialisée) inside orientation 1's table:
    # the link keeps that visible instead of moving the row.
    all_objs = [(ob["id"], ob["title"]) for o in orientations for ob in o["objectives"]]
    for o in orientations:
        for ax in o["referentiel"]["axes"]:

            def score(t):
                return difflib.SequenceMatcher(None, t[1].lower(), ax["axis"].lower()).ratio()

            own = [(i, t) for i, t in all_objs if i.split(".")[0] == str(o["number"])]
            best_own = max(own, key=score)
            best_all = max(all_objs, key=score)
            prefix = [i for i, t in own if t.lower().startswith(ax["axis"].lower())]
            ax["objective_ref"] = (
                prefix[0] if prefix else best_own[0] if score(best_own) >= 0.5 or score(best_all) < 0.9 else best_all[0]
            )
    out = ROOT / "qpv_data" / "framework.yaml"
    # the référentiel is hand-corrected (see the module's docstring): kept as committed
    committed = {o["number"]: o for o in yaml.safe_load(out.read_text(encoding="utf-8"))["orientations"]}
    for o in orientations:
        o["referentiel"] = committed[o["number"]]["referentiel"]
    doc = {"source": "Contrat de Ville « Quartiers 2030 » de l'ARC – texte intégral", "orientations": orientations}
    out.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    print(f"{sum(len(o['objectives']) for o in orientations)} objectives -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
