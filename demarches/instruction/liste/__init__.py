"""The dossier list of a démarche for instructeurs: columns, filters, sort, search and bulk actions.

- colonnes.py: which columns exist (metadata of the dossier, every champ and annotation), how each
  one is displayed, sorted and filtered;
- filtres.py: the filter and sort builders (a filter is a Q, a sort an order_by);
- indexation.py: the normalised copy of champ values (ValeurIndexee, DossierTexte) those use;
- reindexation.py: that copy rebuilt by a job once a change of a deposited dossier commits;
- preferences.py: the choices an instructeur made, remembered per démarche;
- actions_groupees.py + tasks.py: bulk actions run by a background job.
"""
