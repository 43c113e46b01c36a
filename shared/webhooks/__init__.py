"""Outgoing webhooks (Standard Webhooks) and the handling of incoming provider callbacks."""
