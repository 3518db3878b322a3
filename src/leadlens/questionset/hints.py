"""The hints for values outside their domain, shared by question sets and mapping files
(a module of its own, so that the responses stage can use them without the loader)."""

from __future__ import annotations

from leadlens.questionset.model import MAX_SCALE_SPAN, MAX_SCALE_VALUE, MAX_WEIGHT

DOMAIN_HINTS = {
    "value": f"Option values are whole numbers from -{MAX_SCALE_VALUE} to {MAX_SCALE_VALUE}, "
             f"at most {MAX_SCALE_SPAN} apart within a scale",
    "weight": f"Weights are relative, above 0 and at most {MAX_WEIGHT:g}: 2 counts twice",
    "min_answered": "Use a fraction below 1 (0.5: half the items) or a whole number of items",
    "answers": "Give each answer code the option value it stands for (a whole number, e.g. 4) "
               "or one of the scale's unscored answers (text, e.g. \"Don't know\")",
}
DOMAIN_HINTS["questionset.scale-span"] = DOMAIN_HINTS["value"]
"""The hint for a value outside its domain, by its key."""
