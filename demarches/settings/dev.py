from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)

# The demo's agents log in without the e-mailed « connexion sécurisée » step (set it to True to try it).
TRUSTED_DEVICE_ENABLED = env.bool("TRUSTED_DEVICE_ENABLED", default=False)
