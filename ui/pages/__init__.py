"""One module per page; each exports `routes`, which ui/app.py lists in order."""
