"""The dispatcher: help, unknown commands, and errors without tracebacks."""

from tfjs_kombat import cli


def test_help_lists_every_command(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in cli.COMMANDS)


def test_unknown_command(capsys):
    assert cli.main(["fly"]) == 2
    assert "unknown command 'fly'" in capsys.readouterr().err


def test_user_error_is_a_message_not_a_traceback(tmp_path, capsys):
    assert cli.main(["frames", str(tmp_path / "nope.mov"), str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no such video") and "Traceback" not in err
