using System.Text;
using System.Text.Json;
using MultiAgent.Contracts;

namespace MultiAgent.Cli.Output;

/// <summary><c>--json</c>: the reply exactly as the contracts serialize it, one document, nothing else on stdout.</summary>
internal static class JsonOutput
{
    public static void Write<T>(TextWriter writer, T message)
    {
        writer.WriteLine(Encoding.UTF8.GetString(MessageSerializer.SerializeMessage(message)));
        writer.Flush();
    }

    /// <summary>The answer of the submit commands: <c>{"jobId":"…"}</c>.</summary>
    public static void WriteJobId(TextWriter writer, string jobId)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("jobId", jobId);
            json.WriteEndObject();
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
        writer.Flush();
    }
}
