using Spectre.Console;
using Spectre.Console.Rendering;

namespace MultiAgent.Cli.Output;

/// <summary>
/// Where output goes and how it looks. Rich (colours, spinner, rounded tables) only when the stream is a terminal,
/// <c>NO_COLOR</c> is not set and <c>TERM</c> is not "dumb"; otherwise plain text: no ANSI escape sequences, no
/// spinner, tables without borders.
/// </summary>
internal sealed class Terminal
{
    private const int PlainWidth = 240;

    public Terminal(TextWriter writer, bool isTerminal, IReadOnlyDictionary<string, string?> environment)
    {
        Writer = writer;
        IsRich = isTerminal && !ColourDisabled(environment);
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = IsRich ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = IsRich ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = IsRich ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!IsRich)
        {
            // Redirected output is read by programs and people with wide windows: do not wrap at 80 columns.
            Console.Profile.Width = PlainWidth;
        }
    }

    /// <summary>The raw writer, for output that must be exact (JSON).</summary>
    public TextWriter Writer { get; }

    public IAnsiConsole Console { get; }

    /// <summary>Colours, a spinner and box drawing are allowed.</summary>
    public bool IsRich { get; }

    public TableBorder TableBorder => IsRich ? TableBorder.Rounded : TableBorder.None;

    /// <summary>https://no-color.org: any non-empty NO_COLOR turns colour off.</summary>
    public static bool ColourDisabled(IReadOnlyDictionary<string, string?> environment) =>
        (environment.TryGetValue("NO_COLOR", out var noColor) && !string.IsNullOrEmpty(noColor))
        || (environment.TryGetValue("TERM", out var term) && string.Equals(term, "dumb", StringComparison.Ordinal));

    /// <summary>A table in this terminal's style.</summary>
    public Table NewTable(params string[] columns)
    {
        var table = new Table { Border = TableBorder };
        if (!IsRich)
        {
            table.ShowHeaders = true;
        }

        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(IsRich ? $"[bold]{Markup.Escape(column)}[/]" : Markup.Escape(column)) { NoWrap = false });
        }

        return table;
    }

    /// <summary>Text in a style when rich, plain otherwise; the text itself is never parsed as markup.</summary>
    public Markup Styled(string? text, string style) =>
        new(IsRich && !string.IsNullOrEmpty(style) ? $"[{style}]{Markup.Escape(text ?? "")}[/]" : Markup.Escape(text ?? ""));

    /// <summary>Writes a line of markup (the caller escapes what it inserts).</summary>
    public void MarkupLine(string markup)
    {
        if (IsRich)
        {
            Console.MarkupLine(markup);
        }
        else
        {
            Writer.WriteLine(Markup.Remove(markup));
        }
    }

    /// <summary>Writes a table or grid: as is when rich; plain, without trailing blanks, otherwise.</summary>
    public void Write(IRenderable renderable)
    {
        if (IsRich)
        {
            Console.Write(renderable);
            return;
        }

        using var buffer = new StringWriter();
        var plain = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(buffer),
        });
        plain.Profile.Width = PlainWidth;
        plain.Write(renderable);
        foreach (var line in buffer.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'))
        {
            Writer.WriteLine(line.TrimEnd());
        }
    }

    /// <summary>Writes text as is.</summary>
    public void WriteLine(string text = "") => Writer.WriteLine(text);

    /// <summary>Runs <paramref name="work"/> under a spinner when rich, directly otherwise.</summary>
    public async Task<T> SpinAsync<T>(string status, bool quiet, Func<Task<T>> work)
    {
        if (!IsRich || quiet)
        {
            return await work();
        }

        return await Console.Status()
            .Spinner(Spinner.Known.Dots)
            .SpinnerStyle(Style.Parse("cyan"))
            .StartAsync(Markup.Escape(status), _ => work());
    }
}
