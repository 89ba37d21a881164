"""The HTTP side: the werkzeug-hosted server (:mod:`.server`), the per-request pipeline every
EC2 call goes through (:mod:`.pipeline`, :mod:`.calls`) and the JSON control API
(:mod:`.control`). Loaded when a server starts, never at pytest start-up.
"""
