"""Exceptions the command line turns into one clear message and a non-zero exit."""


class FramtidError(Exception):
    """Base class: an error the user can fix (bad input, missing file)."""

    exit_code = 1


class DataError(FramtidError):
    """An embedded or user-supplied data file is malformed."""


class ScenarioError(FramtidError):
    """A scenario file is invalid. Carries every problem found, each with its location."""

    exit_code = 2

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class ResultExistsError(FramtidError):
    """Refuse to overwrite an existing result file without ``--force``."""


class UsageError(FramtidError):
    """A command-line argument is not allowed (exit code 2, like click's own usage errors)."""

    exit_code = 2


class ResultFileError(FramtidError):
    """A result file cannot be written there, or a file given as a result is not one (or is damaged)."""

    exit_code = 2


class ObservationFileError(DataError):
    """A file of observed values given on the command line is malformed (exit code 2: bad input)."""

    exit_code = 2
