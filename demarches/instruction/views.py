from django.http import HttpResponse



def avis(request, **kwargs):
    return HttpResponse('instruction.avis')


def dossier(request, **kwargs):
    return HttpResponse('instruction.dossier')


def messagerie(request, **kwargs):
    return HttpResponse('instruction.messagerie')


def procedures(request, **kwargs):
    return HttpResponse('instruction.procedures')
