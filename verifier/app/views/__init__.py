"""The verifier app's screens, one component each: Scan, Ask, Result, History, and the shell around them."""
