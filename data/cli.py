"""Command line of the follow-up database (same database as the app: QUARTIERS_DB_URL, default
SQLite in QUARTIERS_VAR_DIR). Messages in French; exit status 0 on success (and for -h / --help),
1 on refusal or on any fault (never a Python traceback: nothing of the address, password or
installation is printed), 2 on a usage error.

    python -m data.cli migrate
    python -m data.cli user add LOGIN --role lecteur|contributeur|administrateur   (mot de passe sur l'entrée standard)
    python -m data.cli user add ADRESSE@COURRIEL --role … --sso   (connexion unique seulement, sans mot de passe)
    python -m data.cli user list
    python -m data.cli user disable LOGIN
    python -m data.cli template FICHIER.csv
    python -m data.cli import FICHIER.csv|FICHIER.xlsx --author LOGIN
    python -m data.cli table import FICHIER.csv|FICHIER.xlsx --mapping CORRESPONDANCE.yaml --author LOGIN [--dry-run]
                                                                (table officielle INSEE, ANCT : voir qpv_data/correspondances/)
    python -m data.cli export FICHIER.csv [--public]
    python -m data.cli pending                                   (valeurs proposées, à valider, une par ligne avec son n°)
    python -m data.cli validate N… | --all --author LOGIN         (publier : administrateur)
    python -m data.cli refuse N --reason TEXTE --author LOGIN     (refuser, avec la raison)
    python -m data.cli withdraw N --reason TEXTE --author LOGIN   (retirer une valeur publiée, avec la raison)

N : le numéro d'une valeur de suivi du référentiel (12), ou S suivi du numéro pour un point de série
(S12 : valeur d'une table officielle importée ou d'un indicateur du diagnostic).
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

import sqlalchemy as sa

from . import db
from .accounts import ROLES, Accounts, AuthError, require
from .csvio import MAX_IMPORT_BYTES, ImportFileError, followup_csv, template_csv
from .followup import FollowupStore, check_import, referentiel_indicators, shown
from .official import MappingError, check_table, load_mapping, write_result
from .series import ORIGIN_LABELS, SeriesStore
from .validation import REFUSED, VALIDATED, WITHDRAWN, ValidationError, decide

USAGE = __doc__.split("\n\n", 1)[1].split('"""')[0].strip("\n")


class FrenchParser(argparse.ArgumentParser):
    """argparse's own words are English: usage and errors are said in French instead."""

    def __init__(self, *args, **kwargs):
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)

    def format_usage(self):
        return "utilisation :\n" + USAGE + "\n"

    format_help = format_usage

    def error(self, message):
        print(self.format_usage() + "erreur : commande incomplète ou inconnue", file=sys.stderr)
        raise SystemExit(2)

    def add_help_option(self) -> FrenchParser:
        self.add_argument("-h", "--help", action=_Help, nargs=0, default=argparse.SUPPRESS)
        return self


class _Help(argparse.Action):
    """-h / --help, at any level: the French usage on standard output, exit status 0."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(parser.format_usage(), end="")
        raise SystemExit(0)


OS_ERRORS = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "accès refusé",
    errno.EPERM: "accès refusé",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENOSPC: "disque plein",
    errno.EROFS: "disque en lecture seule",
    errno.ENAMETOOLONG: "nom de fichier trop long",
}


def os_error(err: OSError) -> str:
    """An OSError in French (never the system's English text nor the path)."""
    return OS_ERRORS.get(err.errno or 0, "fichier illisible ou impossible à écrire")


def check_db_url() -> None:
    """QUARTIERS_DB_URL is well formed (scheme, port a number from 1 to 65535) before anything
    connects: a malformed address gets a French message, never the driver's (which may repeat it)."""
    url = os.environ.get(db.DB_ENV)
    if not url:
        return
    driver = db.driver_url(url)  # an unknown scheme: StoreError, in French
    try:
        port = sa.engine.make_url(driver).port
    except Exception:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise db.StoreError(
            f"adresse de base de données mal formée dans {db.DB_ENV} (le port doit être un nombre de 1 à 65535 ; "
            "forme attendue : postgresql://utilisateur:mot-de-passe@hôte:5432/base ou sqlite:///chemin)"
        )


def read_import_file(path: Path) -> bytes:
    """The file to import, never more than MAX_IMPORT_BYTES + 1 bytes read (a device, a huge file)."""
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > MAX_IMPORT_BYTES:
            raise ImportFileError(
                f"fichier trop volumineux ({size / 2**20:.1f} Mo ; au plus {MAX_IMPORT_BYTES // 2**20} Mo)".replace(".", ",", 1)
            )
        return f.read(MAX_IMPORT_BYTES + 1)


def _value_id(text: str) -> tuple[str, int]:
    """« 12 » → a follow-up value of the référentiel; « S12 » → a series point (data/series.py)."""
    kind, digits = ("serie", text[1:]) if text[:1] in ("S", "s") else ("suivi", text)
    if not digits.isascii() or not digits.isdigit() or len(digits) > 12:
        raise argparse.ArgumentTypeError("numéro de valeur invalide")
    return kind, int(digits)


def _ids(kind: str, ids: list[int]) -> str:
    return ", ".join(("S" if kind == "serie" else "") + str(i) for i in ids)


def _fr(value) -> str:
    return "non disponible" if value is None else format(value, "f").replace(".", ",")


def _dataset():
    from .dataset import load_dataset

    return load_dataset()


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv)
    except SystemExit as exit_:  # -h (0) or a usage error (2), already said in French
        return exit_.code if isinstance(exit_.code, int) else 2
    except KeyboardInterrupt:
        print("erreur : interrompu ; rien n'a été enregistré", file=sys.stderr)
        return 1
    except Exception as exc:  # the last resort: a French sentence, never a traceback (paths, address, password)
        print(
            f"erreur inattendue ({type(exc).__name__}) : opération abandonnée (une écriture en cours est annulée en entier, "
            "rien n'est enregistré à moitié)",
            file=sys.stderr,
        )
        return 1


def run(argv: list[str] | None) -> int:
    ap = FrenchParser(prog="python -m data.cli", description="Base de suivi de Quartiers 2030").add_help_option()
    sub = ap.add_subparsers(dest="cmd", required=True, parser_class=FrenchParser)
    sub.add_parser("migrate").add_help_option()
    user = sub.add_parser("user").add_help_option().add_subparsers(dest="action", required=True, parser_class=FrenchParser)
    add = user.add_parser("add").add_help_option()
    add.add_argument("login")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--sso", action="store_true")
    user.add_parser("list").add_help_option()
    dis = user.add_parser("disable").add_help_option()
    dis.add_argument("login")
    tpl = sub.add_parser("template").add_help_option()
    tpl.add_argument("file")
    imp = sub.add_parser("import").add_help_option()
    imp.add_argument("file")
    imp.add_argument("--author", required=True)
    exp = sub.add_parser("export").add_help_option()
    exp.add_argument("file")
    exp.add_argument("--public", action="store_true")
    sub.add_parser("pending").add_help_option()
    val = sub.add_parser("validate").add_help_option()
    val.add_argument("ids", nargs="*", type=_value_id)
    val.add_argument("--all", action="store_true")
    val.add_argument("--author", required=True)
    for name in ("refuse", "withdraw"):
        dec = sub.add_parser(name).add_help_option()
        dec.add_argument("ids", nargs=1, type=_value_id)
        dec.add_argument("--reason", required=True)
        dec.add_argument("--author", required=True)
    table = sub.add_parser("table").add_help_option().add_subparsers(dest="action", required=True, parser_class=FrenchParser)
    timp = table.add_parser("import").add_help_option()
    timp.add_argument("file")
    timp.add_argument("--mapping", required=True)
    timp.add_argument("--author", required=True)
    timp.add_argument("--dry-run", action="store_true")
    a = ap.parse_args(argv)

    try:
        if a.cmd == "template":
            indicators = referentiel_indicators(_dataset().framework)
            Path(a.file).write_bytes(template_csv(indicators))
            print(f"modèle écrit : {a.file} ({len(indicators)} indicateurs de suivi)")
            return 0
        check_db_url()
        if a.cmd == "migrate":
            print(f"schéma à jour : {db.migrate()}")
            return 0
        store = FollowupStore()
        store.check_schema()
        accounts = Accounts(store.engine)
        series = SeriesStore(store.engine)
        if a.cmd == "table":
            return table_import(a, store, accounts, series)
        if a.cmd == "user":
            if a.action == "add":
                try:
                    password = None if a.sso else sys.stdin.readline().rstrip("\n")
                except UnicodeDecodeError:
                    raise AuthError("le mot de passe lu sur l'entrée standard n'est pas en UTF-8") from None
                accounts.add(a.login, a.role, password)
                print(f"compte créé : {a.login.strip().lower()} ({a.role})")
            elif a.action == "list":
                for acc in accounts.list():
                    print(f"{acc.login}\t{acc.role}\t{'actif' if acc.active else 'désactivé'}")
            else:
                accounts.set_active(a.login, False)
                print(f"compte désactivé : {a.login}")
            return 0
        if a.cmd == "export":
            entries = store.latest() if a.public else store.history()
            Path(a.file).write_bytes(followup_csv(entries, public=a.public))
            print(f"{len(entries)} valeurs exportées dans {a.file}" + (" (version publique)" if a.public else ""))
            return 0
        if a.cmd == "pending":
            pending = store.pending()
            for e in pending:
                print(
                    f"{e.id}\t{e.indicator_key}\t{e.territory}\t{e.year}\t{format(e.value, 'f').replace('.', ',')}\t"
                    f"{shown(e.unit, 40)}\t{shown(e.author, 64)}\t{e.recorded_at}"
                )
            points = series.pending()
            for pt in points:  # S12 indicator territory millésime perimeter value unit origin author date
                print(
                    f"S{pt.id}\t{pt.indicator}\t{pt.territory}\t{pt.period}\t{pt.perimeter}\t{_fr(pt.value)}\t{shown(pt.unit, 40)}\t"
                    f"{ORIGIN_LABELS.get(pt.origin, pt.origin)}\t{shown(pt.author, 64)}\t{pt.recorded_at}"
                )
            print(f"{len(pending) + len(points)} valeur(s) à valider", file=sys.stderr)
            return 0
        if a.cmd in ("validate", "refuse", "withdraw"):
            actor = accounts.get(a.author.strip().lower())
            if actor is None:
                raise AuthError(f"aucun compte « {shown(a.author, 64)} »")
            if a.cmd == "validate":
                if bool(a.ids) == bool(a.all):
                    raise ValidationError("donnez les numéros des valeurs à valider, ou --all (pas les deux)")
                ids = [("suivi", e.id) for e in store.pending()] + [("serie", p.id) for p in series.pending()] if a.all else a.ids
                if not ids:
                    print("aucune valeur à valider")
                    return 0
                for kind in ("suivi", "serie"):  # each kind all or nothing, the référentiel's first
                    chosen = list(dict.fromkeys(i for k, i in ids if k == kind))
                    if chosen:
                        done = decide(store.engine, accounts, actor, chosen, VALIDATED, kind=kind)
                        print(f"{len(done)} valeur(s) validée(s) par {actor.login} : n° {_ids(kind, done)}")
            else:
                action = REFUSED if a.cmd == "refuse" else WITHDRAWN
                kind, number = a.ids[0]
                done = decide(store.engine, accounts, actor, [number], action, a.reason, kind=kind)
                print(f"valeur n° {_ids(kind, done[:1])} {'refusée' if action == REFUSED else 'retirée'} par {actor.login}")
            return 0
        # import: all or nothing
        importer = accounts.get(a.author.strip().lower())
        if importer is None:
            raise AuthError(f"aucun compte « {shown(a.author, 64)} » (créez-le : python -m data.cli user add)")
        author = require(importer, "import", accounts).login  # the administrateur's, as in the app
        path = Path(a.file)
        rows, problems = check_import(_dataset(), path.name, read_import_file(path), author)
        if problems:
            print(f"import refusé, rien n'a été enregistré ({len(problems)} problème(s)) :", file=sys.stderr)
            for p in problems:
                print(f"  - {p}", file=sys.stderr)
            return 1
        store.add_many(rows)
        print(f"{len(rows)} valeurs importées au nom de {author} (proposées : publiques après validation)")
        return 0
    except (AuthError, ImportFileError, ValidationError, db.StoreError, MappingError) as err:
        print(f"erreur : {err}", file=sys.stderr)
        return 1
    except sa.exc.SQLAlchemyError as exc:  # a fault outside the store's own handling (the migration)
        print(f"erreur : {db.french_fault(exc)}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"erreur : {os_error(err)}", file=sys.stderr)
        return 1


def table_import(a, store: FollowupStore, accounts: Accounts, series: SeriesStore) -> int:
    """`table import`: an official table through its correspondence; the plan, then (unless
    --dry-run) everything written in one transaction, or nothing when any problem is found."""
    importer = accounts.get(a.author.strip().lower())
    if importer is None:
        raise AuthError(f"aucun compte « {shown(a.author, 64)} » (créez-le : python -m data.cli user add)")
    author = require(importer, "import", accounts).login  # the administrateur's, as in the app
    mapping_path = Path(a.mapping)
    mapping = load_mapping(read_import_file(mapping_path), mapping_path.name)
    path = Path(a.file)
    data = read_import_file(path)
    ds = _dataset()
    result = check_table(ds, series, path.name, data, mapping)
    if result.problems:
        print(f"import refusé, rien n'a été enregistré ({len(result.problems)} problème(s)) :", file=sys.stderr)
        for p in result.problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"{mapping.source} — millésime {mapping.millesime}, périmètre {mapping.perimeter_label}")
    for line in result.preview:
        print(
            f"{line.kind}\t{line.territory}\t{line.indicator}\t{line.period}\t{line.perimeter}\t{line.value}\t"
            f"en vigueur : {line.current}\tcontrat : {line.contract}"
        )
    for ind in result.indicators:
        print(f"nouvel indicateur : {ind.id} — {ind.label} ({ind.unit})")
    print(result.summary())
    if result.skipped:
        print(result.skipped_line())
    if a.dry_run:
        print("essai (--dry-run) : rien n'a été enregistré")
        return 0
    report = write_result(series, result, author)
    if report is None:  # pragma: no cover - a result without problem has rows
        print("import refusé, rien n'a été enregistré", file=sys.stderr)
        return 1
    print(
        f"{len(report.written)} valeur(s) enregistrée(s) au nom de {author} (lot {result.batch} ; proposées : publiques après "
        f"validation), {report.unchanged} inchangée(s) non réécrite(s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
