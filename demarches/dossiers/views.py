from django.http import HttpResponse



def brouillon(request, **kwargs):
    return HttpResponse('dossiers.brouillon')


def index(request, **kwargs):
    return HttpResponse('dossiers.index')


def messagerie(request, **kwargs):
    return HttpResponse('dossiers.messagerie')


def show(request, **kwargs):
    return HttpResponse('dossiers.show')
