"""Satchel wallet: the learner's credentials, encrypted on their own device (see ``wallet.store``)."""
