"""HTTP routes and middleware mounted on the Reflex app (``rx.App(api_transformer=…)``)."""
