"""The upload URL of createDirectUpload: the client PUTs the file's bytes there."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import direct_uploads


@csrf_exempt
@require_http_methods(["PUT"])
def direct_upload(request, token: str):
    try:
        length = int(request.headers.get("Content-Length") or "")
    except ValueError:
        length = None
    try:
        key = direct_uploads.recevoir(
            token, content_type=request.headers.get("Content-Type", ""), stream=request, content_length=length
        )
    except direct_uploads.UploadRefused as refusal:
        return JsonResponse({"errors": [{"message": refusal.message}]}, status=refusal.status)
    return JsonResponse({"blobId": key}, status=200)
