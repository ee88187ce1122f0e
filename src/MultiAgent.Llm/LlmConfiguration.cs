using Microsoft.Extensions.Configuration;
using MultiAgent.Contracts;

namespace MultiAgent.Llm;

/// <summary>
/// Resolves each agent's <see cref="LlmOptions"/> from configuration: the defaults in <c>MultiAgent:Llm</c>, then
/// every key set under <c>MultiAgent:Llm:Agents:&lt;agent&gt;</c> replacing the default of the same name (so a
/// Reviewer can use another model with the same endpoint and key). Read on every call.
/// </summary>
public sealed class LlmConfiguration(IConfiguration configuration)
{
    /// <summary>The section of per-agent overrides, under <see cref="LlmOptions.SectionName"/>.</summary>
    public const string AgentsSection = "Agents";

    /// <summary>The configuration key of an agent's overrides: <c>coder</c>, <c>reviewer</c>, <c>repomanager</c>.</summary>
    public static string AgentKey(AgentType agent) => AgentCatalogue.Of(agent).Name;

    /// <summary>The section path of an agent's overrides, e.g. <c>MultiAgent:Llm:Agents:coder</c>.</summary>
    public static string AgentSectionPath(AgentType agent) =>
        ConfigurationPath.Combine(LlmOptions.SectionName, AgentsSection, AgentKey(agent));

    /// <summary>The agent's options: the defaults with its overrides applied. Not validated.</summary>
    /// <exception cref="LlmConfigurationException">A value cannot be read (e.g. an unknown provider).</exception>
    public LlmOptions For(AgentType agent)
    {
        var options = new LlmOptions();
        Bind(configuration.GetSection(LlmOptions.SectionName), options);
        Bind(configuration.GetSection(AgentSectionPath(agent)), options);
        return options;
    }

    /// <summary>How to configure a model, for messages that say none is: the three ways the AppHost takes settings.</summary>
    public const string SetupHint =
        "Set one for the AppHost, e.g. with user secrets: dotnet user-secrets --project src/MultiAgent.AppHost set MultiAgent:Llm:ApiKey <key> " +
        "(and MultiAgent:Llm:Model, MultiAgent:Llm:Provider, MultiAgent:Llm:Endpoint as needed); or in the environment (MultiAgent__Llm__ApiKey=<key>, " +
        "MultiAgent__Llm__Model=<model>); or as arguments: ./build.sh run -- --MultiAgent:Llm:Model=<model>. See docs/llm.md.";

    /// <summary>
    /// Null when every agent that talks to a model has valid settings; else what is wrong, agent by agent, followed by
    /// <see cref="SetupHint"/>.
    /// </summary>
    public string? Problems(IEnumerable<AgentType> agents)
    {
        var problems = new List<string>();
        foreach (var agent in agents)
        {
            try
            {
                ValidatedFor(agent);
            }
            catch (LlmConfigurationException ex)
            {
                problems.Add(ex.Message);
            }
        }

        return problems.Count == 0 ? null : $"no language model is configured: {string.Join(" ", problems)} {SetupHint}";
    }

    /// <summary>The agent's options, validated.</summary>
    /// <exception cref="LlmConfigurationException">The options are incomplete or wrong; the message says which keys.</exception>
    public LlmOptions ValidatedFor(AgentType agent)
    {
        var options = For(agent);
        var errors = options.Validate(LlmOptions.SectionName);
        if (errors.Count > 0)
        {
            throw new LlmConfigurationException(
                $"The LLM of the {AgentKey(agent)} is not configured correctly (set the key under {LlmOptions.SectionName} " +
                $"or, for this agent only, under {AgentSectionPath(agent)}): {string.Join(" ", errors)}");
        }

        return options;
    }

    /// <summary>Every API key configured, for the defaults and every agent (read as text: never fails on other settings).</summary>
    public IEnumerable<string> ApiKeys()
    {
        var paths = AgentCatalogue.Types.Select(AgentSectionPath).Prepend(LlmOptions.SectionName);
        foreach (var path in paths)
        {
            if (configuration[ConfigurationPath.Combine(path, nameof(LlmOptions.ApiKey))] is { Length: > 0 } key)
            {
                yield return key;
            }
        }
    }

    private static void Bind(IConfigurationSection section, LlmOptions options)
    {
        try
        {
            // Binds only the keys present, so an agent's section overrides the defaults key by key. The agents'
            // sections themselves are not properties of LlmOptions and are ignored here.
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new LlmConfigurationException(
                $"The LLM settings under {section.Path} cannot be read: {ex.Message} " +
                "(Provider is OpenAI or Anthropic; timeouts are hh:mm:ss; numbers use a dot.)");
        }
    }
}
