"""The dashboard's pages; `components` holds the layout pieces they share."""
