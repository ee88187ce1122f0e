namespace Agents.Coder.Safety;

/// <summary>Bounds on text handed to the model.</summary>
public static class TextLimits
{
    /// <summary><paramref name="text"/> cut to <paramref name="max"/> characters, keeping its head and tail.</summary>
    public static string HeadTail(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max)
        {
            return text;
        }

        var head = max / 2;
        var tail = max - head;
        return $"{text[..head]}\n[... {text.Length - max} characters left out ...]\n{text[^tail..]}";
    }
}
