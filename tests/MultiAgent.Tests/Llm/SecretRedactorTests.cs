using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using MultiAgent.Llm;

namespace MultiAgent.Tests.Llm;

public sealed class SecretRedactorTests
{
    private const string GitHubToken = "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    [Fact]
    public void Registered_secrets_are_masked_wherever_they_appear_and_short_values_are_ignored()
    {
        var redactor = new SecretRedactor(["my-own-secret-value", null, "abc"]);
        redactor.Register("another-secret-42");

        var text = redactor.Redact("key=my-own-secret-value; other=another-secret-42; abc stays");

        Assert.Equal("key=***; other=***; abc stays", text);
        Assert.Equal(2, redactor.Count);
        Assert.Null(redactor.Redact(null));
    }

    [Theory]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc123", "Authorization: Bearer ***")]
    [InlineData("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic ***")]
    [InlineData("OPENAI_API_KEY=sk-proj-abcdefghijklmnop0123456789", "OPENAI_API_KEY=***")]
    [InlineData("key sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "key ***")]
    [InlineData("token: " + GitHubToken, "token: ***")]
    [InlineData("gho_abcdefghijklmnopqrstuvwxyz0123456789 and ghs_abcdefghijklmnopqrstuvwxyz0123456789", "*** and ***")]
    [InlineData("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "***")]
    [InlineData("git clone https://x-access-token:v1.abcdef0123456789@github.com/o/r.git", "git clone https://***@github.com/o/r.git")]
    [InlineData("x-access-token:abcdef0123456789", "x-access-token:***")]
    [InlineData("remote: https://alice:s3cr3t@git.example.com/repo.git", "remote: https://***@git.example.com/repo.git")]
    [InlineData("aws AKIAABCDEFGHIJKLMNOP here", "aws *** here")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----")]
    public void Credential_shapes_are_masked_without_registration(string text, string expected) =>
        Assert.Equal(expected, new SecretRedactor().Redact(text));

    [Theory]
    [InlineData("Use Basic authentication or a Bearer token for the API.")]
    [InlineData("The task-runner and sk-learn are fine; https://github.com/o/r is public.")]
    [InlineData("git clone https://github.com/owner/repo.git")]
    public void Ordinary_text_is_left_alone(string text) => Assert.Equal(text, new SecretRedactor().Redact(text));

    [Fact]
    public void Secrets_named_in_configuration_and_connection_string_passwords_are_registered()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MultiAgent:GitHub:Token"] = "plain-token-value-1",
            ["MultiAgent:Llm:Agents:coder:ApiKey"] = "coder-key-value-2",
            ["Parameters:postgres-password"] = "pg-password-value-3",
            ["ConnectionStrings:multiagentdb"] = "Host=localhost;Port=5433;Username=postgres;Password=conn-pass-value-4;Database=multiagent",
            ["MultiAgent:Llm:Model"] = "gpt-4o-not-a-secret",
        }).Build();
        var redactor = new SecretRedactor();

        redactor.RegisterFromConfiguration(configuration);

        Assert.Equal("*** *** *** *** gpt-4o-not-a-secret",
            redactor.Redact("plain-token-value-1 coder-key-value-2 pg-password-value-3 conn-pass-value-4 gpt-4o-not-a-secret"));
    }

    [Fact]
    public void Json_string_values_are_redacted_and_the_structure_kept()
    {
        var redactor = new SecretRedactor(["registered-secret-xyz"]);
        var node = JsonNode.Parse($$$"""{"a":"registered-secret-xyz","b":[1,"{{{GitHubToken}}}",true],"c":{"d":null,"e":2.5}}""");

        var redacted = redactor.Redact(node)!.ToJsonString();

        Assert.Equal("""{"a":"***","b":[1,"***",true],"c":{"e":2.5}}""", redacted);
    }
}
