using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using MultiAgent.Secrets;

namespace MultiAgent.UnitTests.Secrets;

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

        Assert.Equal("""{"a":"***","b":[1,"***",true],"c":{"d":null,"e":2.5}}""", redacted);
    }

    [Fact]
    public void A_json_element_is_redacted_value_by_value_and_one_without_secrets_is_kept_as_it_is()
    {
        var redactor = new SecretRedactor(["quote\"and+plus-secret"]);
        // The serializer escapes '"' and '+', so the raw JSON never holds the secret as registered.
        var element = JsonSerializer.SerializeToElement(new { summary = "key: quote\"and+plus-secret", count = 3 });
        var clean = JsonSerializer.SerializeToElement(new { summary = "nothing to hide", count = 3 });

        Assert.Equal("""{"summary":"key: ***","count":3}""", redactor.Redact(element).GetRawText());
        Assert.Equal(clean.GetRawText(), redactor.Redact(clean).GetRawText());
        Assert.Equal(JsonValueKind.Undefined, redactor.Redact(default(JsonElement)).ValueKind);
    }

    [Fact]
    public void A_secret_is_also_masked_in_its_url_escaped_and_json_escaped_forms()
    {
        var redactor = new SecretRedactor(["p@ss/w0rd+\"x"]);

        Assert.Equal("a *** b *** c ***", redactor.Redact("a p@ss/w0rd+\"x b p%40ss%2Fw0rd%2B%22x c p@ss/w0rd\u002B\u0022x"));
    }

    [Fact]
    public void Passwords_and_tokens_in_urls_are_registered_so_they_are_masked_on_their_own_too()
    {
        var redactor = new SecretRedactor();

        redactor.RegisterUrlCredentials("nats://coder:n%40ts-pass-1@localhost:4222,nats://a-long-token-2@other:4222");

        Assert.Equal("*** *** ***", redactor.Redact("n@ts-pass-1 n%40ts-pass-1 a-long-token-2"));
        Assert.Equal("nats://***@localhost:4222", redactor.Redact("nats://coder:n%40ts-pass-1@localhost:4222"));
    }

    [Fact]
    public void Nats_connection_strings_and_webhook_urls_in_configuration_are_registered()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:nats"] = "nats://reviewer:nats-password-5@localhost:4222",
            ["MultiAgent:Notifications:Slack:WebhookUrl"] = "https://hooks.slack.com/services/T000/B000/webhook-secret-6",
            ["MultiAgent:LocalGit:MergeAuthorEmail"] = "someone@example.com",
        }).Build();

        var redactor = SecretRedactor.FromConfiguration(configuration);

        Assert.Equal("*** *** someone@example.com",
            redactor.Redact("nats-password-5 https://hooks.slack.com/services/T000/B000/webhook-secret-6 someone@example.com"));
        Assert.True(redactor.Finds("nats-password-5"));
        Assert.False(redactor.Finds("someone@example.com"));
    }
}
