"""Reminders: where they are planned (schedule), kept (models/reminders), worded
(payload), sent (dispatcher, worker) and answered from the notification (actions).
"""
