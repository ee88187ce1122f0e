using Microsoft.Extensions.Configuration;
using MultiAgent.Contracts;
using MultiAgent.Llm;

namespace MultiAgent.UnitTests.Llm;

public sealed class LlmOptionsTests
{
    private static LlmConfiguration Configure(params (string Key, string Value)[] settings) =>
        new(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create<string, string?>($"{LlmOptions.SectionName}:{s.Key}", s.Value)))
            .Build());

    [Fact]
    public void Unset_settings_have_the_documented_defaults()
    {
        var options = Configure().For(AgentType.Coder);

        Assert.Equal(LlmProvider.OpenAI, options.Provider);
        Assert.Equal(TimeSpan.FromSeconds(120), options.RequestTimeout);
        Assert.Equal(4, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(60), options.MaxRetryAfter);
        Assert.Equal(new Uri("https://api.openai.com/v1/"), options.ResolvedEndpoint);
        Assert.Null(options.Prices);
    }

    [Fact]
    public void An_agents_section_overrides_the_defaults_key_by_key()
    {
        var configuration = Configure(
            ("Provider", "openai"),
            ("Endpoint", "http://localhost:11434/v1"),
            ("Model", "llama3.2"),
            ("Temperature", "0.1"),
            ("Prices:InputPerMillionTokens", "2.5"),
            ("Prices:OutputPerMillionTokens", "10"),
            ("Agents:reviewer:Provider", "Anthropic"),
            ("Agents:reviewer:Endpoint", "https://api.anthropic.com"),
            ("Agents:reviewer:ApiKey", "sk-ant-reviewer-key-0123456789"),
            ("Agents:reviewer:Model", "claude-sonnet"),
            ("Agents:reviewer:Prices:OutputPerMillionTokens", "15"),
            ("Agents:repomanager:RequestTimeout", "00:00:30"));

        var coder = configuration.For(AgentType.Coder);
        var reviewer = configuration.For(AgentType.Reviewer);
        var repoManager = configuration.For(AgentType.RepoManager);

        Assert.Equal((LlmProvider.OpenAI, "llama3.2", 0.1f, (string?)null), (coder.Provider, coder.Model, coder.Temperature, coder.ApiKey));
        Assert.Equal((LlmProvider.Anthropic, "claude-sonnet", 0.1f), (reviewer.Provider, reviewer.Model, reviewer.Temperature));
        Assert.Equal((2.5m, 15m), (reviewer.Prices!.InputPerMillionTokens, reviewer.Prices.OutputPerMillionTokens));
        Assert.Equal((2.5m, 10m), (coder.Prices!.InputPerMillionTokens, coder.Prices.OutputPerMillionTokens));
        Assert.Equal(TimeSpan.FromSeconds(30), repoManager.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(120), coder.RequestTimeout);
        Assert.Empty(coder.Validate());
        Assert.Empty(reviewer.Validate());
        Assert.Equal(["sk-ant-reviewer-key-0123456789"], configuration.ApiKeys());
    }

    [Fact]
    public void Validation_names_every_missing_or_wrong_key()
    {
        var configuration = Configure(
            ("Agents:coder:Provider", "Anthropic"),
            ("Agents:coder:Temperature", "3"),
            ("Agents:coder:MaxRetries", "-1"),
            ("Agents:coder:Prices:InputPerMillionTokens", "1"),
            ("Agents:reviewer:Endpoint", "not a url"),
            ("Agents:reviewer:Model", "m"));

        var coder = Assert.Throws<LlmConfigurationException>(() => configuration.ValidatedFor(AgentType.Coder)).Message;
        var reviewer = Assert.Throws<LlmConfigurationException>(() => configuration.ValidatedFor(AgentType.Reviewer)).Message;

        Assert.Contains("MultiAgent:Llm:Model is not set", coder, StringComparison.Ordinal);
        Assert.Contains("MultiAgent:Llm:ApiKey is not set: Anthropic at api.anthropic.com needs an API key", coder, StringComparison.Ordinal);
        Assert.Contains("Temperature must be between 0 and 2", coder, StringComparison.Ordinal);
        Assert.Contains("MaxRetries must be between 0 and 20", coder, StringComparison.Ordinal);
        Assert.Contains("Prices needs both", coder, StringComparison.Ordinal);
        Assert.Contains("MultiAgent:Llm:Agents:coder", coder, StringComparison.Ordinal);
        Assert.Contains("'not a url' is not an absolute http(s) URL", reviewer, StringComparison.Ordinal);
        Assert.DoesNotContain("Model is not set", reviewer, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenAI_and_Azure_need_a_key_but_a_self_hosted_endpoint_does_not()
    {
        Assert.True(new LlmOptions { Model = "gpt-4o" }.RequiresApiKey);
        Assert.True(new LlmOptions { Model = "gpt-4o", Endpoint = "https://my-resource.openai.azure.com/openai/v1/" }.RequiresApiKey);
        Assert.False(new LlmOptions { Model = "llama3.2", Endpoint = "http://localhost:11434/v1" }.RequiresApiKey);
        Assert.False(new LlmOptions { Model = "qwen", Endpoint = "http://gpu-box:8000/v1" }.RequiresApiKey);
        Assert.Contains(new LlmOptions { Model = "gpt-4o" }.Validate(), e => e.Contains("ApiKey is not set", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_provider_is_a_configuration_error()
    {
        var error = Assert.Throws<LlmConfigurationException>(() => Configure(("Provider", "Gemini"), ("Model", "m")).For(AgentType.Coder));

        Assert.Contains("MultiAgent:Llm", error.Message, StringComparison.Ordinal);
        Assert.Contains("Provider is OpenAI or Anthropic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_never_shows_the_api_key_or_endpoint_credentials()
    {
        var options = new LlmOptions
        {
            Model = "gpt-4o",
            ApiKey = "sk-secret-0123456789abcdef",
            Endpoint = "https://user:hunter22@proxy.example/v1",
        };

        var text = options.ToString();

        Assert.Contains("ApiKey=***", text, StringComparison.Ordinal);
        Assert.Contains("Model=gpt-4o", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter22", text, StringComparison.Ordinal);
        Assert.Contains("ApiKey=(not set)", new LlmOptions().ToString(), StringComparison.Ordinal);
    }
}
