"""The scenarios shipped with framtid. Run one by file or by name: ``framtid run framtid:reference``."""
