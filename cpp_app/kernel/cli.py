"""What a command-line command raises to refuse, in Russian."""
import click


class CliError(click.ClickException):
    """A refusal shown in Russian, without Click's English «Error:» prefix; exits with code 1."""

    def show(self, file=None):
        click.echo(f"Ошибка: {self.format_message()}", err=True)
