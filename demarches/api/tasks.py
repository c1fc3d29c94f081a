from celery import shared_task

from . import webhooks
from .models import WebhookDelivery


@shared_task
def deliver_webhook(delivery_id: int, retries_done: int = 0):
    """One attempt to deliver a notification; on failure the job schedules its own next attempt.

    Idempotent: a notification already delivered is not sent again. The wait before the next
    attempt grows exponentially (webhooks.RETRY_DELAYS) for 24 hours. The HTTP call happens
    outside any database transaction (it may take up to 10 s).
    """
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.status == WebhookDelivery.Status.SUCCEEDED:
        return
    webhooks.attempt(delivery, retries_done=retries_done)
    if delivery.status == WebhookDelivery.Status.RETRYING:
        deliver_webhook.apply_async(
            (delivery_id,), {"retries_done": retries_done + 1}, countdown=webhooks.RETRY_DELAYS[retries_done]
        )


@shared_task
def api_tokens_expiration_prevenir():
    """Periodic (CELERY_BEAT_SCHEDULE): e-mail the administrateurs whose API tokens expire soon."""
    from . import services

    return services.api_tokens_expiration_prevenir()
