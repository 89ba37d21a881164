"""The EC2 wire format: query decoding and API versions (:mod:`.query`, :mod:`.versions`),
XML answers (:mod:`.xml`, :mod:`.render`), and who signed a request (:mod:`.auth`,
:mod:`.signatures`). Nothing here holds state or knows an action's rules.
"""
