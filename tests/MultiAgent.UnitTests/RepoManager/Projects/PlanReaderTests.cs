using Agents.RepoManager.Projects;

namespace MultiAgent.UnitTests.RepoManager.Projects;

public sealed class PlanReaderTests
{
    private const string Valid =
        """
        {"features":[
          {"id":"api","title":"Login API","description":"POST /login","acceptanceCriteria":["returns a token"],"dependsOn":[]},
          {"id":"ui","title":"Login page","description":"a form","acceptanceCriteria":["calls the API"],"dependsOn":["api"]},
          {"id":"docs","title":"Docs","description":"","acceptanceCriteria":[],"dependsOn":[]}
        ]}
        """;

    [Fact]
    public void A_valid_plan_is_read_in_the_models_order_with_its_dependencies()
    {
        var features = PlanReader.Read(Valid, maxFeatures: 5, out var error);

        Assert.NotNull(features);
        Assert.Equal("", error);
        Assert.Equal(["api", "ui", "docs"], features.Select(f => f.Key));
        Assert.Equal(["api"], features[1].DependsOn);
        Assert.Equal(["calls the API"], features[1].AcceptanceCriteria);
        Assert.Equal("Login page", features[1].Title);
    }

    [Fact]
    public void A_code_fence_around_the_plan_is_tolerated()
    {
        Assert.NotNull(PlanReader.Read("```json\n" + Valid + "\n```", 5, out _));
    }

    [Theory]
    [InlineData("""{"features":[{"id":"a","title":"A","dependsOn":["b"]},{"id":"b","title":"B","dependsOn":["a"]}]}""", "the dependencies form a cycle: a → b → a")]
    [InlineData("""{"features":[{"id":"a","title":"A","dependsOn":["b"]},{"id":"b","title":"B","dependsOn":["c"]},{"id":"c","title":"C","dependsOn":["a"]}]}""", "cycle: a → b → c → a")]
    [InlineData("""{"features":[{"id":"a","title":"A","dependsOn":["nope"]}]}""", "feature 'a' depends on 'nope', which is no feature of the plan")]
    [InlineData("""{"features":[{"id":"a","title":"A","dependsOn":["a"]}]}""", "feature 'a' depends on itself")]
    [InlineData("""{"features":[{"id":"a","title":"A"},{"id":"a","title":"B"}]}""", "the id 'a' is used by more than one feature")]
    [InlineData("""{"features":[{"id":"Not A Slug","title":"A"}]}""", "\"id\" must be a short slug")]
    [InlineData("""{"features":[{"id":"a","title":""}]}""", "feature 'a': \"title\" must be a non-empty string")]
    [InlineData("""{"features":[{"id":"a","title":"A","dependsOn":"b"}]}""", "feature 'a': \"dependsOn\" must be an array of strings")]
    [InlineData("""{"features":[]}""", "the plan has no features")]
    [InlineData("""{"plan":[]}""", "a JSON object with a \"features\" array")]
    [InlineData("I think you should build a login page.", "the reply is not JSON")]
    [InlineData("", "the reply was empty")]
    public void An_invalid_plan_is_refused_naming_what_is_wrong(string reply, string expected)
    {
        var features = PlanReader.Read(reply, maxFeatures: 5, out var error);

        Assert.Null(features);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void More_features_than_allowed_are_refused_with_the_limit()
    {
        var plan = "{\"features\":[" + string.Join(",", Enumerable.Range(1, 4).Select(i => $"{{\"id\":\"f{i}\",\"title\":\"F{i}\"}}")) + "]}";

        Assert.Null(PlanReader.Read(plan, maxFeatures: 3, out var error));
        Assert.Contains("the plan has 4 features; at most 3 are allowed", error);
        Assert.NotNull(PlanReader.Read(plan, maxFeatures: 4, out _));
    }
}
