"""The survey: asking respondents in a terminal or reading their answers from a file.

:mod:`~leadlens.survey.flow` is the respondent's way through the questions as a pure state
machine; prompters (:mod:`~leadlens.survey.prompter` for terminals,
:mod:`~leadlens.survey.plain` for pipes) show its screens; :mod:`~leadlens.survey.journal`
keeps every answer on disk until :mod:`~leadlens.survey.writer` has appended the row;
:mod:`~leadlens.survey.answers_file` checks file-based answers and
:mod:`~leadlens.survey.template` writes files to fill in.
"""
