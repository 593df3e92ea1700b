"""The dashboard's pages; `components` holds the layout pieces they share, `sign_in` the
sidebar's sign-in and who is signed in."""
