from django.db import transaction
from django.utils import timezone

from .models import OperationLog


def operation_enregistrer(
    *, operation: str, actor=None, automatic: bool = False, dossier=None, procedure=None, data: dict | None = None
) -> OperationLog:
    """Append one entry to the hash chain; call inside the transaction of the operation."""
    with transaction.atomic():
        previous = OperationLog.objects.select_for_update().order_by("-id").only("digest").first()
        entry = OperationLog(
            operation=operation,
            actor_email=getattr(actor, "email", "") or "",
            automatic=automatic,
            dossier_id=getattr(dossier, "pk", None),
            procedure_id=getattr(procedure, "pk", None) or getattr(dossier, "procedure_id", None),
            data=data or {},
            created_at=timezone.now(),
            previous_digest=previous.digest if previous else "",
        )
        entry.digest = entry.compute_digest()
        entry.save()
        return entry


def chain_verifier() -> list[int]:
    """Ids of the entries whose digest or link to the previous one is broken."""
    broken, previous_digest = [], ""
    for entry in OperationLog.objects.order_by("id").iterator():
        if entry.previous_digest != previous_digest or entry.compute_digest() != entry.digest:
            broken.append(entry.id)
        previous_digest = entry.digest
    return broken
