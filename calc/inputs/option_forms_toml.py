"""The stock option agreement forms (``data/option_forms.toml``) read into ``calc.model.option_forms.OptionForm``."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from calc.errors import InputError
from calc.inputs.csv_records import read_text, read_toml
from calc.inputs.paths import FORMS_PATH
from calc.model.option_forms import (
    AWARDS,
    EXERCISE_DATE_RULES,
    EXPIRATION_RULES,
    KEEP_RULES,
    NEWLY_EXERCISABLE,
    REASONS,
    SCHEDULES,
    STATUSES,
    CompanyActionPortion,
    DateRule,
    OptionForm,
    RetirementDefinition,
    TerminationRule,
    Vesting,
)


class _Reader:
    """Reads rule tables of one form, building ``source`` strings and collecting problems."""

    def __init__(self, documents: dict[str, tuple[str, int]], form_id: str, form_doc: str) -> None:
        self.documents, self.form_id, self.form_doc = documents, form_id, form_doc

    def fail(self, what: str) -> InputError:
        return InputError(f"option forms file: [forms.{self.form_id}] {what}")

    def source(self, table: dict[str, Any], name: str) -> str:
        doc_key = table.get("document", self.form_doc)
        if doc_key not in self.documents:
            raise self.fail(f"{name}: unknown document '{doc_key}'")
        path, n_lines = self.documents[doc_key]
        lines = table.get("lines")
        if not (isinstance(lines, list) and len(lines) == 2 and 1 <= lines[0] <= lines[1] <= n_lines):
            raise self.fail(f"{name}: lines must be [first, last] within 1..{n_lines} of {path}")
        note = f" ({table['note']})" if "note" in table else ""
        return f"{path} lines {lines[0]}-{lines[1]}{note}"

    def table(self, raw: dict[str, Any], name: str) -> dict[str, Any]:
        value = raw.get(name)
        if not isinstance(value, dict):
            raise self.fail(f"lacks table {name}")
        return value

    def optional_table(self, raw: dict[str, Any], name: str) -> dict[str, Any] | None:
        return None if raw.get(name) is None else self.table(raw, name)

    def choice(self, table: dict[str, Any], key: str, allowed: tuple[str, ...], name: str) -> str:
        value = table.get(key)
        if value not in allowed:
            raise self.fail(f"{name}.{key} = {value!r}; must be one of {', '.join(allowed)}")
        return str(value)

    def date_rule(self, raw: dict[str, Any], name: str) -> DateRule:
        t = self.table(raw, name)
        allowed = EXERCISE_DATE_RULES if name == "exercise_date" else EXPIRATION_RULES
        return DateRule(
            self.choice(t, "rule", allowed, name), int(t.get("years", 0)), int(t.get("days", 0)), self.source(t, name)
        )


def _form(form_id: str, raw: dict[str, Any], documents: dict[str, tuple[str, int]]) -> OptionForm:
    r = _Reader(documents, form_id, raw.get("document", "forms"))
    v = r.table(raw, "vesting")
    vesting = Vesting(
        r.choice(v, "schedule", SCHEDULES, "vesting"),
        Fraction(str(v["installment_rate"])),
        int(v["first_months"]),
        int(v["every_months"]),
        r.source(v, "vesting"),
    )
    retire, ca = r.optional_table(raw, "retirement_definition"), r.optional_table(raw, "company_action_portion")
    exp_ret = r.optional_table(raw, "expiration_if_retirement")
    terms = r.optional_table(raw, "termination") or {}
    status = r.choice(raw, "status", STATUSES, "status")
    if status == "active" and set(terms) != set(REASONS):
        raise r.fail(f"an active-employee form needs termination rules for {', '.join(REASONS)}")
    return OptionForm(
        form_id=form_id,
        title=str(raw["title"]),
        award=r.choice(raw, "award", AWARDS, "award") if "award" in raw else "option",
        plan=str(raw["plan"]),
        country_group=str(raw["country_group"]),
        officer=bool(raw["officer"]),
        status=status,
        source=r.source(raw, "form"),
        vesting=vesting,
        exercise_date=r.date_rule(raw, "exercise_date"),
        expiration=r.date_rule(raw, "expiration"),
        expiration_if_retirement=r.date_rule(raw, "expiration_if_retirement") if exp_ret else None,
        retirement_definition=None
        if retire is None
        else RetirementDefinition(
            int(retire["age_plus_service_at_least"]),
            int(retire["age_at_least"]),
            int(retire["service_years_at_least"]),
            r.source(retire, "retirement_definition"),
        ),
        company_action_portion=None
        if ca is None
        else CompanyActionPortion(
            int(ca["early_months"]), Fraction(str(ca["early_rate"])), r.source(ca, "company_action_portion")
        ),
        termination=MappingProxyType(
            {
                reason: TerminationRule(
                    reason,
                    r.choice(t, "keep", KEEP_RULES, reason),
                    r.choice(t, "newly_exercisable", NEWLY_EXERCISABLE, reason),
                    int(t["window_days"]),
                    int(t["deferred_window_days"]),
                    r.source(t, f"termination.{reason}"),
                )
                for reason, t in terms.items()
            }
        ),
    )


def _documents(raw: dict[str, Any], directory: Path) -> dict[str, tuple[str, int]]:
    docs = {}
    for key, name in raw.get("documents", {}).items():
        path = directory / str(name)
        n_lines = len(read_text(path, f"option forms file: document {key} = {name}").split("\n"))
        docs[key] = (f"data/{name}", n_lines)
    return docs


def load_forms_file(path: Path) -> Mapping[str, OptionForm]:
    """Parse and validate an option-forms TOML file: form id -> ``OptionForm``."""
    raw = read_toml(path, f"option forms file {path}")
    documents = _documents(raw, Path(path).parent)
    forms = raw.get("forms")
    if not isinstance(forms, dict) or not forms:
        raise InputError(f"option forms file {path}: no [forms.<id>] tables")
    try:
        return MappingProxyType({fid: _form(fid, table, documents) for fid, table in forms.items()})
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"option forms file {path}: missing or bad field {exc}") from exc


@lru_cache(maxsize=1)
def load_forms() -> Mapping[str, OptionForm]:
    """The stock option agreement forms (``data/option_forms.toml``), read once per process; also
    ``calc.inputs.data.load_forms``."""
    return load_forms_file(FORMS_PATH)
