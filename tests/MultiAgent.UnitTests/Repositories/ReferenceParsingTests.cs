using MultiAgent.Repositories;

namespace MultiAgent.UnitTests.Repositories;

public sealed class ReferenceParsingTests
{
    [Theory]
    [InlineData("https://github.com/octo/hello")]
    [InlineData("https://github.com/octo/hello.git")]
    [InlineData("https://github.com/octo/hello/")]
    [InlineData("git@github.com:octo/hello.git")]
    [InlineData("git@github.com:octo/hello")]
    [InlineData("ssh://git@github.com/octo/hello.git")]
    [InlineData("  https://GitHub.com/octo/hello  ")]
    public void GitHub_forms_map_to_one_key(string input)
    {
        var reference = RepositoryReference.Parse(input);

        Assert.Equal(RepositoryHostKind.GitHub, reference.Kind);
        Assert.Equal("github.com/octo/hello", reference.Key);
        Assert.Equal("octo", reference.Owner);
        Assert.Equal("hello", reference.Name);
        Assert.Equal("github.com", reference.WebHost);
        Assert.Null(reference.LocalPath);
    }

    [Theory]
    [InlineData("https://ghe.example.com/team/tool.git")]
    [InlineData("git@ghe.example.com:team/tool.git")]
    public void An_enterprise_host_is_kept_in_the_key(string input)
    {
        var reference = RepositoryReference.Parse(input);

        Assert.Equal(RepositoryHostKind.GitHub, reference.Kind);
        Assert.Equal("ghe.example.com/team/tool", reference.Key);
        Assert.Equal("ghe.example.com", reference.WebHost);
        Assert.Equal("team", reference.Owner);
        Assert.Equal("tool", reference.Name);
    }

    [Theory]
    [InlineData("/srv/repos/demo.git", "/srv/repos/demo.git", "demo")]
    [InlineData("/srv/repos/demo.git/", "/srv/repos/demo.git", "demo")]
    [InlineData("file:///srv/repos/demo.git", "/srv/repos/demo.git", "demo")]
    [InlineData("/srv/repos/../repos/plain", "/srv/repos/plain", "plain")]
    public void Local_paths_and_file_urls_map_to_the_absolute_path(string input, string path, string name)
    {
        var reference = RepositoryReference.Parse(input);

        Assert.Equal(RepositoryHostKind.Local, reference.Kind);
        Assert.Equal(path, reference.Key);
        Assert.Equal(path, reference.LocalPath);
        Assert.Equal(name, reference.Name);
        Assert.Null(reference.Owner);
        Assert.Null(reference.WebHost);
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("   ", "it is empty")]
    [InlineData("ftp://x", "expected https://github.com/owner/repo")]
    [InlineData("https://github.com/onlyowner", "https://host/owner/repo")]
    [InlineData("https://github.com/a/b/c", "https://host/owner/repo")]
    [InlineData("https://user:s3cr3tT0ken@github.com/o/r", "credentials never go in a repository URL")]
    [InlineData("not a repo", "expected https://github.com/owner/repo")]
    [InlineData("git@github.com:o w/r", "expected https://github.com/owner/repo")]
    public void Bad_input_is_an_invalid_reference_with_a_clear_message(string input, string explanation)
    {
        var error = Assert.Throws<RepositoryHostException>(() => RepositoryReference.Parse(input));

        Assert.Equal(RepositoryErrorKind.InvalidReference, error.Kind);
        Assert.False(error.IsRetryable);
        Assert.Contains("is not a repository reference", error.Message, StringComparison.Ordinal);
        Assert.Contains(explanation, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3tT0ken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_is_an_invalid_reference()
    {
        var error = Assert.Throws<RepositoryHostException>(() => RepositoryReference.Parse(null!));

        Assert.Equal(RepositoryErrorKind.InvalidReference, error.Kind);
        Assert.Contains("it is empty", error.Message, StringComparison.Ordinal);
    }
}
