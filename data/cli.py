"""Command line of the follow-up database (same database as the app: QUARTIERS_DB_URL, default
SQLite in QUARTIERS_VAR_DIR). Messages in French; exit status 0 on success, 1 on refusal, 2 on
a usage error.

    python -m data.cli migrate
    python -m data.cli user add LOGIN --role lecteur|contributeur|administrateur   (mot de passe sur l'entrée standard)
    python -m data.cli user add ADRESSE@COURRIEL --role … --sso   (connexion unique seulement, sans mot de passe)
    python -m data.cli user list
    python -m data.cli user disable LOGIN
    python -m data.cli template FICHIER.csv
    python -m data.cli import FICHIER.csv|FICHIER.xlsx --author LOGIN
    python -m data.cli export FICHIER.csv [--public]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import db
from .accounts import ROLES, Accounts, AuthError, require
from .csvio import ImportFileError, followup_csv, template_csv
from .followup import FollowupStore, check_import, referentiel_indicators

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


def _dataset():
    from .dataset import load_dataset

    return load_dataset()


def main(argv: list[str] | None = None) -> int:
    ap = FrenchParser(prog="python -m data.cli", description="Base de suivi de Quartiers 2030")
    sub = ap.add_subparsers(dest="cmd", required=True, parser_class=FrenchParser)
    sub.add_parser("migrate")
    user = sub.add_parser("user").add_subparsers(dest="action", required=True, parser_class=FrenchParser)
    add = user.add_parser("add")
    add.add_argument("login")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--sso", action="store_true")
    user.add_parser("list")
    dis = user.add_parser("disable")
    dis.add_argument("login")
    tpl = sub.add_parser("template")
    tpl.add_argument("file")
    imp = sub.add_parser("import")
    imp.add_argument("file")
    imp.add_argument("--author", required=True)
    exp = sub.add_parser("export")
    exp.add_argument("file")
    exp.add_argument("--public", action="store_true")
    a = ap.parse_args(argv)

    try:
        if a.cmd == "migrate":
            print(f"schéma à jour : {db.migrate()}")
            return 0
        if a.cmd == "template":
            indicators = referentiel_indicators(_dataset().framework)
            Path(a.file).write_bytes(template_csv(indicators))
            print(f"modèle écrit : {a.file} ({len(indicators)} indicateurs de suivi)")
            return 0
        store = FollowupStore()
        store.check_schema()
        accounts = Accounts(store.engine)
        if a.cmd == "user":
            if a.action == "add":
                password = None if a.sso else sys.stdin.readline().rstrip("\n")
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
        # import: all or nothing
        acc = accounts.get(a.author.strip().lower())
        if acc is None:
            raise AuthError(f"aucun compte « {a.author[:64]} » (créez-le : python -m data.cli user add)")
        author = require(acc, "record", accounts).login
        path = Path(a.file)
        rows, problems = check_import(_dataset(), path.name, path.read_bytes(), author)
        if problems:
            print(f"import refusé, rien n'a été enregistré ({len(problems)} problème(s)) :", file=sys.stderr)
            for p in problems:
                print(f"  - {p}", file=sys.stderr)
            return 1
        store.add_many(rows)
        print(f"{len(rows)} valeurs importées au nom de {author}")
        return 0
    except (AuthError, ImportFileError, db.StoreError) as err:
        print(f"erreur : {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"erreur : fichier illisible ou impossible à écrire ({err.strerror})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
