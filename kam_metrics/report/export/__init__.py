"""Exporters of the review report: PowerPoint (:mod:`.pptx`), HTML (:mod:`.html`), Excel (:mod:`.xlsx`).

They only format a built report; they never compute.
"""
