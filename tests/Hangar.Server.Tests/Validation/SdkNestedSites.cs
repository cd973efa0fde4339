namespace Hangar.Server.Tests.Validation;

/// <summary>
/// A place in a request body where the SDK sends one of its nested model types: <paramref name="Body"/> is a
/// valid body for the route with the smallest valid object of <paramref name="SdkType"/> at <paramref name="Path"/>
/// (<c>tools[0].configs[0]</c>). The type's fields are found by reflection (<see cref="SdkRequestFields.ModelFields"/>);
/// the tests set one at a time on that object.
/// </summary>
public sealed record SdkNestedSite(string Name, string ParamsType, string SdkType, string Path, string Body)
{
    public SdkRoute Route => SdkRoutes.All.Single(r => r.ParamsType == ParamsType);

    public override string ToString() => Name;
}

/// <summary>
/// Every nested request type of the Managed Agents surface, where it goes, and valid values for its fields
/// (by <c>site:field</c>, then by field name, then by C# type as <see cref="SdkRoutes.ValidValue"/> does).
/// </summary>
public static class SdkNestedSites
{
    private const string Agent = "{\"name\":\"nested\",\"model\":\"claude-sonnet-4-6\"";
    private const string McpAgent = Agent + ""","mcp_servers":[{"type":"url","name":"docs","url":"https://mcp.example.com/"}]""";
    private const string Session = "{\"agent\":\"{agent}\",\"environment_id\":\"{env}\"";
    private const string Env = """{"name":"{unique}","config":""";

    public static readonly SdkNestedSite[] All =
    [
        new("agent.model", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsModelConfigParams", "model",
            """{"name":"nested","model":{"id":"claude-sonnet-4-6"}}"""),
        new("agent.tools[agent_toolset]", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsAgentToolset20260401Params", "tools[0]",
            Agent + ""","tools":[{"type":"agent_toolset_20260401"}]}"""),
        new("agent.tools[agent_toolset].default_config", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsAgentToolsetDefaultConfigParams",
            "tools[0].default_config", Agent + ""","tools":[{"type":"agent_toolset_20260401","default_config":{}}]}"""),
        new("agent.tools[agent_toolset].configs[bash]", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsBashToolConfigParams",
            "tools[0].configs[0]", Agent + ""","tools":[{"type":"agent_toolset_20260401","configs":[{"name":"bash"}]}]}"""),
        new("agent.tools[agent_toolset].configs[web_fetch]", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsWebFetchToolConfigParams",
            "tools[0].configs[0]", Agent + ""","tools":[{"type":"agent_toolset_20260401","configs":[{"name":"web_fetch"}]}]}"""),
        new("agent.tools[agent_toolset].configs[web_search]", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsWebSearchToolConfigParams",
            "tools[0].configs[0]", Agent + ""","tools":[{"type":"agent_toolset_20260401","configs":[{"name":"web_search"}]}]}"""),
        new("agent.tools[agent_toolset].default_config.permission_policy[always_allow]", "Agents.AgentCreateParams",
            "Agents.BetaManagedAgentsAlwaysAllowPolicy", "tools[0].default_config.permission_policy", Policy("always_allow")),
        new("agent.tools[agent_toolset].default_config.permission_policy[always_ask]", "Agents.AgentCreateParams",
            "Agents.BetaManagedAgentsAlwaysAskPolicy", "tools[0].default_config.permission_policy", Policy("always_ask")),
        new("agent.tools[agent_toolset].default_config.permission_policy[auto]", "Agents.AgentCreateParams",
            "Agents.BetaManagedAgentsAutoPolicy", "tools[0].default_config.permission_policy", Policy("auto")),
        new("agent.tools[mcp_toolset]", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsMcpToolsetParams", "tools[0]",
            McpAgent + ""","tools":[{"type":"mcp_toolset","mcp_server_name":"docs"}]}"""),
        new("agent.tools[mcp_toolset].default_config", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsMcpToolsetDefaultConfigParams",
            "tools[0].default_config", McpAgent + ""","tools":[{"type":"mcp_toolset","mcp_server_name":"docs","default_config":{}}]}"""),
        new("agent.tools[mcp_toolset].configs[0]", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsMcpToolConfigParams",
            "tools[0].configs[0]", McpAgent + ""","tools":[{"type":"mcp_toolset","mcp_server_name":"docs","configs":[{"name":"search"}]}]}"""),
        new("agent.tools[custom]", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsCustomToolParams", "tools[0]",
            Agent + ""","tools":[{"type":"custom","name":"lookup","description":"Looks up.","input_schema":{"type":"object"}}]}"""),
        new("agent.mcp_servers[url]", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsUrlMcpServerParams", "mcp_servers[0]",
            McpAgent + ""","tools":[{"type":"mcp_toolset","mcp_server_name":"docs"}]}"""),
        new("agent.skills[anthropic]", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsAnthropicSkillParams", "skills[0]",
            Agent + ""","skills":[{"type":"anthropic","skill_id":"xlsx"}]}"""),
        new("agent.skills[custom]", "Agents.AgentCreateParams", "Agents.BetaManagedAgentsCustomSkillParams", "skills[0]",
            Agent + ""","skills":[{"type":"custom","skill_id":"skill_01"}]}"""),
        new("environment.config[cloud]", "Environments.EnvironmentCreateParams", "Environments.BetaCloudConfigParams", "config",
            Env + """{"type":"cloud"}}"""),
        new("environment.config.networking[limited]", "Environments.EnvironmentCreateParams", "Environments.BetaLimitedNetworkParams",
            "config.networking", Env + """{"type":"cloud","networking":{"type":"limited"}}}"""),
        new("environment.config.packages", "Environments.EnvironmentCreateParams", "Environments.BetaPackagesParams",
            "config.packages", Env + """{"type":"cloud","packages":{}}}"""),
        new("environment.config[self_hosted]", "Environments.EnvironmentCreateParams", "Environments.BetaSelfHostedConfigParams", "config",
            Env + """{"type":"self_hosted"}}"""),
        new("session.agent[agent]", "Sessions.SessionCreateParams", "Sessions.BetaManagedAgentsAgentParams", "agent",
            """{"agent":{"type":"agent","id":"{agent}"},"environment_id":"{env}"}"""),
        new("session.agent[agent_with_overrides]", "Sessions.SessionCreateParams", "Sessions.BetaManagedAgentsAgentWithOverridesParams", "agent",
            """{"agent":{"type":"agent_with_overrides","id":"{agent}"},"environment_id":"{env}"}"""),
        new("session.resources[file]", "Sessions.SessionCreateParams", "Sessions.BetaManagedAgentsFileResourceParams", "resources[0]",
            Session + ""","resources":[{"type":"file","file_id":"{file}"}]}"""),
        new("session.resources[github_repository]", "Sessions.SessionCreateParams", "Sessions.BetaManagedAgentsGitHubRepositoryResourceParams",
            "resources[0]", Session + ""","resources":[{"type":"github_repository","url":"https://github.com/o/r","authorization_token":"ghp_x"}]}"""),
        new("events[user.message]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsUserMessageEventParams", "events[0]",
            """{"events":[{"type":"user.message","content":[{"type":"text","text":"hi"}]}]}"""),
        new("events[user.message].content[text]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsTextBlock",
            "events[0].content[0]", """{"events":[{"type":"user.message","content":[{"type":"text","text":"hi"}]}]}"""),
        new("events[user.message].content[image]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsImageBlock",
            "events[0].content[0]", Message("""{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}""")),
        new("events[user.message].content[image].source[base64]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsBase64ImageSource",
            "events[0].content[0].source", Message("""{"type":"image","source":{"type":"base64","media_type":"image/png","data":"aGk="}}""")),
        new("events[user.message].content[image].source[url]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsUrlImageSource",
            "events[0].content[0].source", Message("""{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}""")),
        new("events[user.message].content[image].source[file]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsFileImageSource",
            "events[0].content[0].source", Message("""{"type":"image","source":{"type":"file","file_id":"{file}"}}""")),
        new("events[user.message].content[document]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsDocumentBlock",
            "events[0].content[0]", Message("""{"type":"document","source":{"type":"text","media_type":"text/plain","data":"doc"}}""")),
        new("events[user.message].content[document].source[text]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsPlainTextDocumentSource",
            "events[0].content[0].source", Message("""{"type":"document","source":{"type":"text","media_type":"text/plain","data":"doc"}}""")),
        new("events[user.message].content[document].source[base64]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsBase64DocumentSource",
            "events[0].content[0].source", Message("""{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"aGk="}}""")),
        new("events[user.message].content[document].source[url]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsUrlDocumentSource",
            "events[0].content[0].source", Message("""{"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}}""")),
        new("events[user.message].content[document].source[file]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsFileDocumentSource",
            "events[0].content[0].source", Message("""{"type":"document","source":{"type":"file","file_id":"{file}"}}""")),
        new("events[user.message].content[search_result]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsSearchResultBlock",
            "events[0].content[0]", Message("""{"type":"search_result","source":"https://example.com/","title":"T","content":[{"type":"text","text":"found"}]}""")),
        new("events[user.define_outcome]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsUserDefineOutcomeEventParams", "events[0]",
            """{"events":[{"type":"user.define_outcome","description":"Done.","rubric":{"type":"text","content":"All good."}}]}"""),
        new("events[user.define_outcome].rubric[text]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsTextRubricParams", "events[0].rubric",
            """{"events":[{"type":"user.define_outcome","description":"Done.","rubric":{"type":"text","content":"All good."}}]}"""),
        new("events[user.define_outcome].rubric[file]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsFileRubricParams", "events[0].rubric",
            """{"events":[{"type":"user.define_outcome","description":"Done.","rubric":{"type":"file","file_id":"{file}"}}]}"""),
        new("events[user.interrupt]", "Sessions.Events.EventSendParams", "Sessions.Events.BetaManagedAgentsUserInterruptEventParams", "events[0]",
            """{"events":[{"type":"user.interrupt"}]}"""),
        new("vault.credential.auth[static_bearer]", "Vaults.Credentials.CredentialCreateParams",
            "Vaults.Credentials.BetaManagedAgentsStaticBearerCreateParams", "auth",
            """{"auth":{"type":"static_bearer","mcp_server_url":"https://mcp.example.com/{unique}","token":"t"}}"""),
        new("vault.credential.auth[mcp_oauth]", "Vaults.Credentials.CredentialCreateParams",
            "Vaults.Credentials.BetaManagedAgentsMcpOAuthCreateParams", "auth",
            """{"auth":{"type":"mcp_oauth","mcp_server_url":"https://mcp.example.com/{unique}","access_token":"t"}}"""),
        new("vault.credential.auth[mcp_oauth].refresh", "Vaults.Credentials.CredentialCreateParams",
            "Vaults.Credentials.BetaManagedAgentsMcpOAuthRefreshParams", "auth.refresh", OAuthWithRefresh("""{"type":"none"}""")),
        new("vault.credential.auth[mcp_oauth].refresh.token_endpoint_auth[client_secret_basic]", "Vaults.Credentials.CredentialCreateParams",
            "Vaults.Credentials.BetaManagedAgentsTokenEndpointAuthBasicParam", "auth.refresh.token_endpoint_auth",
            OAuthWithRefresh("""{"type":"client_secret_basic","client_secret":"s"}""")),
        new("vault.credential.auth[mcp_oauth].refresh.token_endpoint_auth[client_secret_post]", "Vaults.Credentials.CredentialCreateParams",
            "Vaults.Credentials.BetaManagedAgentsTokenEndpointAuthPostParam", "auth.refresh.token_endpoint_auth",
            OAuthWithRefresh("""{"type":"client_secret_post","client_secret":"s"}""")),
        new("vault.credential.auth[environment_variable]", "Vaults.Credentials.CredentialCreateParams",
            "Vaults.Credentials.BetaManagedAgentsEnvironmentVariableCreateParams", "auth",
            """{"auth":{"type":"environment_variable","secret_name":"TOKEN_{unique}","secret_value":"v","networking":{"type":"unrestricted"}}}"""),
        new("vault.credential.auth[environment_variable].networking[limited]", "Vaults.Credentials.CredentialCreateParams",
            "Vaults.Credentials.BetaManagedAgentsLimitedCredentialNetworkingParams", "auth.networking",
            """{"auth":{"type":"environment_variable","secret_name":"TOKEN_{unique}","secret_value":"v","networking":{"type":"limited","allowed_hosts":["api.example.com"]}}}"""),
        new("vault.credential.auth[environment_variable].injection_location", "Vaults.Credentials.CredentialCreateParams",
            "Vaults.Credentials.BetaManagedAgentsInjectionLocationParams", "auth.injection_location",
            """{"auth":{"type":"environment_variable","secret_name":"TOKEN_{unique}","secret_value":"v","networking":{"type":"unrestricted"},"injection_location":{"header":true}}}"""),
        new("vault.credential.auth[static_bearer] update", "Vaults.Credentials.CredentialUpdateParams",
            "Vaults.Credentials.BetaManagedAgentsStaticBearerUpdateParams", "auth", """{"auth":{"type":"static_bearer","token":"t2"}}"""),
    ];

    private static string Policy(string type) =>
        Agent + ",\"tools\":[{\"type\":\"agent_toolset_20260401\",\"default_config\":{\"permission_policy\":{\"type\":\"" + type + "\"}}}]}";

    private static string Message(string block) => """{"events":[{"type":"user.message","content":[""" + block + "]}]}";

    private static string OAuthWithRefresh(string endpointAuth) =>
        """{"auth":{"type":"mcp_oauth","mcp_server_url":"https://mcp.example.com/{unique}","access_token":"t","refresh":"""
        + """{"token_endpoint":"https://auth.example.com/token","client_id":"c","refresh_token":"r","token_endpoint_auth":"""
        + endpointAuth + "}}}";

    private static readonly Dictionary<string, string> ValidValues = new(StringComparer.Ordinal)
    {
        ["id"] = "\"claude-sonnet-4-6\"",
        ["session.agent[agent_with_overrides]:id"] = "\"{agent}\"",
        ["session.agent[agent_with_overrides]:version"] = "1",
        ["session.agent[agent_with_overrides]:model"] = "\"claude-sonnet-4-6\"",
        ["system"] = "\"Be brief.\"",
        ["tools"] = """[{"type":"agent_toolset_20260401"}]""",
        ["mcp_servers"] = "[]",
        ["skills"] = "[]",
        ["header"] = "true",
        ["body"] = "true",
        ["session.agent[agent]:id"] = "\"{agent}\"",
        ["effort"] = "\"high\"",
        ["speed"] = "\"standard\"",
        ["inference_geo"] = "\"us\"",
        ["enabled"] = "true",
        ["permission_policy"] = """{"type":"always_allow"}""",
        ["default_config"] = """{"enabled":true}""",
        ["configs"] = "[]",
        ["name"] = "\"n_{unique}\"",
        ["agent.tools[agent_toolset].configs[bash]:name"] = "\"bash\"",
        ["agent.tools[agent_toolset].configs[web_fetch]:name"] = "\"web_fetch\"",
        ["agent.tools[agent_toolset].configs[web_search]:name"] = "\"web_search\"",
        ["agent.tools[mcp_toolset].configs[0]:name"] = "\"search\"",
        ["agent.mcp_servers[url]:name"] = "\"docs\"",
        ["secret_name"] = "\"TOKEN_{unique}\"",
        ["secret_value"] = "\"v\"",
        ["agent.tools[agent_toolset].configs[bash]:type"] = "\"bash\"",
        ["agent.tools[agent_toolset].configs[web_fetch]:type"] = "\"web_fetch\"",
        ["agent.tools[agent_toolset].configs[web_search]:type"] = "\"web_search\"",
        ["environment.config.packages:type"] = "\"packages\"",
        ["session.agent[agent]:version"] = "1",
        ["url_sources"] = """{"user_input":"all"}""",
        ["context"] = "\"Some context.\"",
        ["title"] = "\"A title\"",
        ["source"] = "\"https://example.com/\"",
        ["citations"] = """{"enabled":true}""",
        ["media_type"] = "\"image/png\"",
        ["data"] = "\"aGk=\"",
        ["rubric"] = """{"type":"text","content":"Fine."}""",
        ["max_iterations"] = "3",
        ["mcp_server_name"] = "\"docs\"",
        ["description"] = "\"Described.\"",
        ["input_schema"] = """{"type":"object","properties":{"q":{"type":"string"}}}""",
        ["url"] = "\"https://mcp.example.com/\"",
        ["session.resources[github_repository]:url"] = "\"https://github.com/o/r\"",
        ["allowed_domains"] = "[\"example.com\"]",
        ["blocked_domains"] = "[\"example.org\"]",
        ["max_content_tokens"] = "1000",
        ["max_uses"] = "5",
        ["user_location"] = """{"type":"approximate","city":"Paris"}""",
        ["skill_id"] = "\"xlsx\"",
        ["version"] = "\"latest\"",
        ["networking"] = """{"type":"unrestricted"}""",
        ["packages"] = """{"pip":["requests"]}""",
        ["allowed_hosts"] = "[\"example.com\"]",
        ["allow_mcp_servers"] = "true",
        ["allow_package_managers"] = "true",
        ["apt"] = "[\"jq\"]",
        ["cargo"] = "[\"ripgrep\"]",
        ["gem"] = "[\"rake\"]",
        ["go"] = "[\"golang.org/x/tools/cmd/stringer@latest\"]",
        ["npm"] = "[\"left-pad\"]",
        ["pip"] = "[\"requests\"]",
        ["file_id"] = "\"{file}\"",
        ["mount_path"] = "\"/mnt/session/uploads/nested-{unique}.txt\"",
        ["authorization_token"] = "\"ghp_y\"",
        ["checkout"] = """{"type":"branch","name":"main"}""",
        ["content"] = """[{"type":"text","text":"hello"}]""",
        ["text"] = "\"hello\"",
        ["token"] = "\"t\"",
        ["access_token"] = "\"t\"",
        ["mcp_server_url"] = "\"https://mcp.example.com/{unique}\"",
        ["expires_at"] = "\"2099-01-01T00:00:00Z\"",
        ["refresh"] = """{"token_endpoint":"https://auth.example.com/token","client_id":"c","refresh_token":"r","token_endpoint_auth":{"type":"none"}}""",
        ["token_endpoint"] = "\"https://auth.example.com/token\"",
        ["client_id"] = "\"c\"",
        ["refresh_token"] = "\"r\"",
        ["scope"] = "\"read\"",
        ["resource"] = "\"https://mcp.example.com/\"",
        ["token_endpoint_auth"] = """{"type":"none"}""",
        ["client_secret"] = "\"s\"",
        ["value"] = "\"v\"",
        ["injection_location"] = """{"header":true,"body":false}""",
        ["events[user.define_outcome].rubric[text]:content"] = "\"Fine.\"",
    };

    /// <summary>
    /// Nested fields the SDK can send that Hangar refuses (documented in docs/api-compatibility.md), with the
    /// reason; the test checks the refusal is a 400 naming the field's path.
    /// </summary>
    public static readonly Dictionary<string, string> RefusedByRule = new(StringComparer.Ordinal)
    {
    };

    /// <summary>
    /// Nested fields where Hangar deliberately accepts more than the SDK's type (the wrong-typed value is accepted),
    /// with the reason; listed in docs/api-compatibility.md.
    /// </summary>
    public static readonly Dictionary<string, string> LenientByDesign = new(StringComparer.Ordinal)
    {
        ["agent.skills[anthropic]:version"] = "an integer version is read as its decimal string (api.md §5 skills)",
        ["agent.skills[custom]:version"] = "an integer version is read as its decimal string (api.md §5 skills)",
    };

    public static string ValidValue(SdkNestedSite site, SdkField field) =>
        ValidValues.GetValueOrDefault($"{site.Name}:{field.Name}")
            ?? ValidValues.GetValueOrDefault(field.Name)
            ?? SdkRoutes.ValidValue(site.Route, field);
}
