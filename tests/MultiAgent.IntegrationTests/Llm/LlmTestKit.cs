using Microsoft.Extensions.Configuration;
using MultiAgent.Llm;
using MultiAgent.Secrets;
using MultiAgent.IntegrationTests.Fakes.OpenAI;

namespace MultiAgent.IntegrationTests.Llm;

/// <summary>Configuration pointing at a <see cref="FakeOpenAIServer"/>, and the LLM layer built on it.</summary>
internal static class LlmTestKit
{
    /// <summary>An OpenAI-shaped key, so that both the registered secret and the <c>sk-</c> pattern apply.</summary>
    public const string ApiKey = "sk-test-Q2hhbmdlTWVJbkNvbmZpZ3VyYXRpb24";

    public const string Model = "gpt-test";

    /// <summary>
    /// <c>MultiAgent:Llm</c> for the fake: OpenAI provider, <see cref="ApiKey"/>, <see cref="Model"/>, a 10 s
    /// timeout, 2 retries with a 50 ms base back-off; <paramref name="settings"/> (keys relative to
    /// <c>MultiAgent:Llm</c>) add to or replace these, a null value removes one.
    /// </summary>
    public static IConfiguration Configuration(FakeOpenAIServer fake, params (string Key, string? Value)[] settings)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Provider"] = "OpenAI",
            ["Endpoint"] = fake.Endpoint,
            ["ApiKey"] = ApiKey,
            ["Model"] = Model,
            ["RequestTimeout"] = "00:00:10",
            ["MaxRetries"] = "2",
            ["RetryBaseDelay"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return new ConfigurationBuilder()
            .AddInMemoryCollection(values.Where(v => v.Value is not null).Select(v => KeyValuePair.Create($"{LlmOptions.SectionName}:{v.Key}", v.Value)))
            .Build();
    }

    public static ChatClientFactory Factory(IConfiguration configuration, SecretRedactor? redactor = null) =>
        new(new LlmConfiguration(configuration), redactor ?? new SecretRedactor());
}
