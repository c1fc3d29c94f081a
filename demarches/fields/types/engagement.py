from ..registry import register
from .basic import Checkbox


@register
class Engagement(Checkbox):
    """Seed 001 q): « strictement identique au champ Case à cocher » — the usager commits to
    something by ticking the box; made mandatory, the dossier cannot be deposited unticked."""

    key = "engagement"
    label = "Engagement"
    prefill_format = 'true pour cocher la case, false pour la laisser décochée.'
    prefill_example = 'true'
