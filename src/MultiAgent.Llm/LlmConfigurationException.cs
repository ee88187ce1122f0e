namespace MultiAgent.Llm;

/// <summary>
/// The LLM settings of an agent are missing or wrong. An <see cref="InvalidOperationException"/>, so a task that
/// meets it fails without retries (another attempt cannot fix the configuration).
/// </summary>
public sealed class LlmConfigurationException(string message) : InvalidOperationException(message);
