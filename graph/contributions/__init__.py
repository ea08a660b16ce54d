"""What partners bring: the forms, the spreadsheet import, a study's documents."""
