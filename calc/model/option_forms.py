"""Stock option agreement forms as frozen dataclasses (``data/option_forms.toml``, read by
``calc.inputs.option_forms_toml``).

Each form of ``data/option_agreement_forms_2002-11.txt`` (Nov 2002: 1997 LTIP, 1996 LTIP
for officers, French Plan) is one ``OptionForm``; every rule keeps ``source`` =
"<document> lines a-b" (plus any note), checked on load to lie inside the document.
The rule vocabulary is described at the top of the TOML file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

SCHEDULES = ("installments", "at_grant")
EXERCISE_DATE_RULES = ("on_vesting", "anniversary")
EXPIRATION_RULES = ("day_before_anniversary", "days_after_grant", "none")
KEEP_RULES = ("none", "vested", "all", "vested_plus_company_action_portion")
NEWLY_EXERCISABLE = ("at_termination", "from_exercise_date")
# Termination reasons: every active-employee form has a rule for each; a grants CSV row names one.
REASONS = ("retirement", "death", "disability", "cause", "company_action", "company_action_retirement", "other")
STATUSES = ("active", "company-action", "death", "death-disability")
# What the agreement grants: options (exercised at the holder's choice, at the exercise price) or restricted
# stock (shares delivered on vesting, no exercise; ``calc.model.options.restricted_deliveries``).
AWARDS = ("option", "restricted_stock")


@dataclass(frozen=True)
class Vesting:
    schedule: str
    installment_rate: Fraction  # share of N vesting on each date (1 for at_grant)
    first_months: int
    every_months: int
    source: str

    @property
    def installments(self) -> int:
        """Number of vesting dates: 1 / installment_rate (5 for 20%)."""
        return 1 if self.schedule == "at_grant" else int(1 / self.installment_rate)


@dataclass(frozen=True)
class DateRule:
    rule: str
    years: int
    days: int
    source: str


@dataclass(frozen=True)
class RetirementDefinition:
    age_plus_service_at_least: int
    age_at_least: int  # 0 = no age-with-service route
    service_years_at_least: int
    source: str

    def qualifies(self, age: int, service_years: int) -> bool:
        """Retirement by age and service: age + service >= 75, or (officers) age >= 50 with service >= 15."""
        if age + service_years >= self.age_plus_service_at_least:
            return True
        return self.age_at_least > 0 and age >= self.age_at_least and service_years >= self.service_years_at_least


@dataclass(frozen=True)
class CompanyActionPortion:
    early_months: int
    early_rate: Fraction
    source: str


@dataclass(frozen=True)
class TerminationRule:
    reason: str
    keep: str
    newly_exercisable: str
    window_days: int  # 0 = until the Expiration Date
    deferred_window_days: int  # 0 = until the Expiration Date
    source: str


@dataclass(frozen=True)
class OptionForm:
    form_id: str
    title: str
    plan: str
    country_group: str
    officer: bool
    status: str
    source: str
    vesting: Vesting
    exercise_date: DateRule
    expiration: DateRule
    expiration_if_retirement: DateRule | None
    retirement_definition: RetirementDefinition | None
    company_action_portion: CompanyActionPortion | None
    termination: Mapping[str, TerminationRule]
    award: str = "option"  # AWARDS

    @property
    def restricted_stock(self) -> bool:
        """Restricted shares: delivered on vesting (no exercise), potential shares only until then."""
        return self.award == "restricted_stock"

    @property
    def terminated_before_grant(self) -> bool:
        return self.status != "active"
