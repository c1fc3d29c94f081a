import pytest


@pytest.fixture(autouse=True)
def _referentiels_echantillon(settings):
    """Reference data come from the small bundled sample (loaded on first use, in each test's transaction)."""
    settings.REFERENTIELS_SOURCE = "echantillon"
    settings.REFERENTIELS_ADAPTATEURS = {}
