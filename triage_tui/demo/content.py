"""Phrase banks for the demo tickets: people, organisations, topics, scenarios.

Tickets are composed from these banks by ``demo.py`` so that subjects and
bodies vary. Ordinary topics deliberately avoid the words the escalation
rules react to (refund, invoice, human, manager, data loss, GDPR, lawyer…):
only the scenario banks below use them, so every escalation the console
suggests in the demo is one the data was written to trigger.
"""

from __future__ import annotations

from typing import NamedTuple

FIRST_NAMES = (
    "Ana Ben Chloé Dmitri Elif Farah Gustavo Hana Ines Jonah Kai Lena Mateo Nadia Omar Priya "
    "Quentin Rosa Sven Tamar Uma Victor Wen Ximena Yusuf Zoe Aisha Bruno Carmen Diego Emma "
    "Felix Greta Hugo Ivy Jasper Keiko Liam Maya Noah Olga Pablo Ravi Sofia Theo Valentina "
    "Wanjiru Yara Amara Björn Céline Dario Esme Finn Giulia Hamid Ingrid Jules Kofi Lucía"
).split()
LAST_NAMES = (
    "Alvarez Bakker Chen Dubois Eriksen Fischer García Haddad Ivanova Jensen Kowalski Larsen "
    "Moreau Nakamura Okafor Petrov Quinn Rossi Schmidt Tanaka Ueda Varga Weber Xu Yilmaz Zimmer "
    "Andersson Banerjee Costa Dimitrou Evans Ferreira Gupta Horvat Ibrahim Jovanović Kim Lindqvist "
    "Mendes Novak O'Brien Pereira Rahman Silva Torres Novotná Walsh Young Zhang Hoffmann Mbeki"
).split()
PERSONAL_DOMAINS = ("mailbox.example", "inbox.example", "post.example", "fastmail.example")


class Org(NamedTuple):
    name: str
    domain: str
    tier: str
    vip: bool = False


#: Exactly one VIP organisation: the playbook's "VIP accounts" need one to find.
ORGANIZATIONS = (
    Org("Acme Corp", "acme.example", "enterprise", vip=True),
    Org("Brightline Logistics", "brightline.example", "enterprise"),
    Org("Kestrel Health", "kestrelhealth.example", "enterprise"),
    Org("Northwind Analytics", "northwind.example", "business"),
    Org("Fernwood Studio", "fernwood.example", "pro"),
    Org("Helix Robotics", "helixrobotics.example", "business"),
    Org("Bluefin Media", "bluefin.example", "business"),
    Org("Copperleaf Finance", "copperleaf.example", "enterprise"),
    Org("Driftwood Games", "driftwood.example", "pro"),
    Org("Evergreen Schools", "evergreen.example", "business"),
    Org("Lumen Energy", "lumen.example", "business"),
    Org("Marigold Retail", "marigold.example", "pro"),
    Org("Nimbus Cloudworks", "nimbus.example", "enterprise"),
    Org("Orchid Biotech", "orchidbio.example", "business"),
    Org("Pinecone Labs", "pinecone.example", "pro"),
    Org("Quarry & Co", "quarry.example", "pro"),
    Org("Riverbend Council", "riverbend.example", "business"),
    Org("Saffron Foods", "saffron.example", "pro"),
    Org("Tidewater Shipping", "tidewater.example", "business"),
    Org("Umbra Security", "umbra.example", "enterprise"),
    Org("Vantage Architects", "vantage.example", "pro"),
    Org("Willow Travel", "willow.example", "business"),
)

#: Yearly account value ranges by tier, in USD.
ACCOUNT_VALUE = {
    "free": (0, 0),
    "pro": (240, 1800),
    "business": (4_000, 36_000),
    "enterprise": (48_000, 420_000),
}

AGENTS = ("Sam Rivera", "Priya Nair", "Jonas Weber", "Mei Chen", "Tomás Álvarez", "Ada Okafor")
CHANNELS = ("email", "web", "chat", "api", "phone")
CHANNEL_WEIGHTS = (45, 25, 15, 5, 10)


class Topic(NamedTuple):
    """One kind of problem. ``subjects[i]`` and ``problems[i]`` describe the same case."""

    key: str
    tags: tuple[str, ...]
    subjects: tuple[str, ...]
    problems: tuple[str, ...]
    details: tuple[str, ...]
    #: The agent's first substantive step (matches a KB article's advice).
    steps: tuple[str, ...]
    #: What the agent asks for when the ticket goes pending.
    asks: tuple[str, ...]
    fixes: tuple[str, ...]
    group: str = "Support"


def _t(key: str, tags: str, group: str = "Support", **banks: str) -> Topic:
    split = {
        name: tuple(p.strip() for p in text.split("|") if p.strip()) for name, text in banks.items()
    }
    return Topic(key=key, tags=tuple(tags.split()), group=group, **split)


# Placeholders filled per ticket: {idp} {integration} {browser} {count} {phone}
# {source} {code} {project} {when}.
TOPICS: tuple[Topic, ...] = (
    _t(
        "sso",
        "sso login",
        # SSO goes to the second line, so the built-in route of the "asked
        # for a human" and "3+ messages" rules ("tier 2") is a group here.
        group="Tier 2",
        subjects="SSO login loops back to the sign-in page | 'SAML response invalid' for part of the team | Single sign-on broken after certificate rotation | New hires can't log in through {idp}",
        problems="When we sign in through {idp} we land back on the Polaris login page. | Since {when} about {count} of our people get 'SAML response invalid' when they try to sign in. | Our {idp} admin rotated the signing certificate and now SSO sign-in fails for everyone except admins. | Newly provisioned users get an error page after authenticating in {idp}.",
        details="Password sign-in still works for the admins. | Nothing changed on our side as far as I know. | It happens in {browser} and in the mobile app. | I attached a screenshot of the error page.",
        steps="The usual cause is the NameID format: it must be emailAddress, and the email in {idp} has to match the one in Polaris exactly. | A rotated IdP certificate has to be uploaded again under Settings > Security > Single sign-on; until then the SAML signature check fails. | Please check that the {idp} server clock is within three minutes of UTC; SAML responses are rejected outside that window.",
        asks="Could you capture a SAML trace with the SAML tracer extension while reproducing the problem and attach it here? | Can you tell me which NameID format the Polaris app uses in {idp}?",
        fixes="The new certificate is in place and sign-in works again for the whole team. | After switching the NameID format to emailAddress the loop is gone.",
    ),
    _t(
        "2fa",
        "2fa login",
        subjects="Locked out after changing phones | Two-factor codes rejected | Need to reset 2FA for a colleague | Lost my recovery codes",
        problems="I got a new phone and my authenticator codes are not accepted anymore. | Every six-digit code I enter is rejected as invalid. | A colleague is locked out: she lost both her phone and the recovery codes. | I can't find my recovery codes and the authenticator app was wiped.",
        details="I'm an admin on the workspace so this blocks a lot. | The time on my phone is set automatically. | I have tried at least ten codes. | This is urgent for our release today.",
        steps="A workspace admin can reset two-factor authentication from Settings > Members; the person then enrols again at next sign-in. | Codes are time based, so please make sure the phone's clock is set automatically; a drift of a minute is enough to reject them.",
        asks="Could you confirm the email address of the locked-out account and that the request comes from a workspace admin? | Which authenticator app do you use?",
        fixes="Two-factor authentication has been reset and the account is enrolled again. | Sign-in works with the new phone now.",
    ),
    _t(
        "api",
        "api rate-limit",
        group="Engineering",
        subjects="Nightly sync fails with 429 Too Many Requests | API key stopped working with 401 | Rate limit hit halfway through our sync | Retry-After header seems too long",
        problems="Our nightly sync started failing with HTTP 429 from the API. | Since {when} every call with our API key returns 401 Unauthorized. | We update about {count} tasks per run and hit the rate limit halfway. | The Retry-After header tells us to wait several minutes, which breaks our integration.",
        details="We run the sync from a single service account. | The script hasn't changed in months. | Error code {code} appears in our logs. | We are on the Business plan.",
        steps="The API allows 600 requests per minute per key on Business; the /tasks/batch endpoint updates up to 100 tasks per call and usually removes the problem. | A 401 means the key was revoked or its owner deactivated; a new key under an active account fixes it. | Several jobs sharing one key share its limit; giving each integration its own key keeps one job from starving the others.",
        asks="Could you share the request ids of a few failing calls and the approximate request volume per minute? | Which account owns the key, and was it recently deactivated?",
        fixes="With the batch endpoint the sync now finishes well under the limit. | A new key under the service account restored access.",
    ),
    _t(
        "export",
        "export csv",
        subjects="CSV export never arrives | Export is missing custom fields | Project export times out | JSON export link expired",
        problems="I started a CSV export of {project} but the email with the download link never came. | The export of {project} does not include our custom fields. | The export spinner runs for ages and then the browser shows a timeout. | The export link from last week says it has expired.",
        details="The project has about {count} tasks. | We need this for a quarterly review next week. | I tried in {browser} and in another browser. | Colleagues see the same thing.",
        steps="Large exports run in the background and are also listed under Settings > Exports for 7 days, even when the browser times out. | Custom fields have to be ticked in the field list of the export dialog; they are not included by default. | Export links are valid for 7 days; starting the export again produces a fresh link.",
        asks="Could you tell me roughly when you started the export and from which account? | Which custom fields are missing?",
        fixes="The export finished and is available under Settings > Exports. | With the custom fields selected, the export now contains every column.",
    ),
    _t(
        "import",
        "import",
        subjects="Import from {source} stuck at 40% | CSV import fails on some rows | Assignees not mapped during {source} import | Attachments missing after {source} import",
        problems="Our import from {source} has been stuck at the same percentage since {when}. | The CSV import stops with errors on some rows. | After importing from {source} all tasks are unassigned. | The import from {source} finished but the attachments are not there.",
        details="It's a project with about {count} tasks. | We would like to switch over this week. | I followed the help article step by step. | The error report mentions 'unknown assignee'.",
        steps="Imports wait on the source tool's rate limit and resume on their own; a stuck percentage usually moves again within the hour. | Rows listed in the import report can be fixed and imported again on their own; 'unknown assignee' means the email does not belong to a workspace member. | User mapping happens in the third step of the importer; unmapped users leave tasks unassigned.",
        asks="Could you send the import report (the link at the end of the import) so I can see which rows failed? | Which {source} account did you authorise, and does it see all projects?",
        fixes="The import resumed and completed. | After mapping the users again, the assignees came through.",
    ),
    _t(
        "slack",
        "slack integrations",
        subjects="Slack notifications stopped | Polaris bot not posting in private channel | Slack says workspace not connected | Creating tasks from Slack messages fails",
        problems="Updates from {project} stopped showing up in our Slack channel. | The Polaris bot doesn't post in our private channel. | The Slack integration shows 'workspace not connected' although we connected it last month. | The 'Create task' message action in Slack gives an error.",
        details="Our Slack admin changed some settings recently. | The channel was renamed last week. | Other projects still post fine. | We rely on this for stand-ups.",
        steps="Slack revokes the integration's token when the installing user is deactivated; reconnecting under Settings > Integrations > Slack restores it. | Private channels need the bot invited with /invite @Polaris. | A renamed or archived channel breaks the mapping; selecting the channel again in the project's Slack settings fixes it.",
        asks="Could you check whether the person who installed the Slack app still has an active Slack account? | Which channel should receive the updates?",
        fixes="After reconnecting, updates are posted again. | The bot is in the private channel and posting.",
    ),
    _t(
        "github",
        "github integrations",
        group="Engineering",
        subjects="GitHub pull requests not linking to tasks | GitHub app installation pending | Tasks not moving to Done on merge | Commits show in wrong project",
        problems="Pull requests that mention task keys are no longer linked to the tasks. | The GitHub integration says the installation is pending approval. | Merging a PR used to move the task to Done; it stopped doing that. | Commits from one repository appear on tasks in the wrong project.",
        details="We use branch names like POL-{count}. | It worked until {when}. | We moved some repositories to a new GitHub organisation. | Nothing shows in the delivery log.",
        steps="Links are created only for repositories the Polaris GitHub App can access; repositories moved to a new organisation need the app installed there too. | Organisation owners must approve the installation before any event is delivered. | The auto-complete rule lives in the project's GitHub settings and is per repository.",
        asks="Could you tell me the repository names and the GitHub organisation they now live in? | Could you send a screenshot of the delivery log?",
        fixes="With the app installed on the new organisation, PRs link again. | The installation was approved and events flow.",
    ),
    _t(
        "notify",
        "notifications email",
        subjects="Not receiving email notifications | Daily digest arrives at 2 am | Too many notifications after update | Mentions don't notify me",
        problems="I stopped receiving email notifications about {when}. | The daily digest arrives in the middle of the night. | Since the last release I get notified about every single comment. | When colleagues mention me I don't get any notification.",
        details="Nothing in the spam folder. | My colleagues get theirs. | I checked my notification settings twice. | This is on {browser}.",
        steps="After three bounces Polaris stops sending to an address; the flag can be cleared in Profile > Email status once the mailbox works. | The digest goes out at 8:00 in the profile's time zone, which defaults to UTC when it isn't set. | Per-event settings in Profile > Notifications let you keep mentions and assignments while turning comments off.",
        asks="Could you check Profile > Email status and tell me whether it shows a bounce? | Which time zone is set in your profile?",
        fixes="The bounce flag is cleared and emails arrive again. | With the time zone set, the digest arrives at 8:00.",
    ),
    _t(
        "mobile",
        "mobile",
        subjects="iOS app crashes on launch | Android push notifications not arriving | Mobile app stuck on loading screen | Can't sign in on the mobile app with SSO",
        problems="The iPhone app crashes right after the splash screen since the update. | Push notifications don't arrive on my {phone}. | The app stays on the loading screen forever. | SSO sign-in in the mobile app opens a blank page.",
        details="I'm on the latest version from the store. | Reinstalling didn't help. | It works fine on the web. | My phone is a {phone}.",
        steps="A stale cache after an update causes most launch crashes; signing out and back in, or reinstalling, clears it. | Some Android manufacturers stop background apps aggressively; excluding Polaris from battery optimisation brings push back. | The crash id in Profile > About lets engineering find the exact report.",
        asks="Could you send the crash id from Profile > About? | Which phone model and OS version are you using?",
        fixes="The reinstall fixed the crash. | Push notifications arrive again after the battery setting change.",
    ),
    _t(
        "perms",
        "permissions",
        subjects="Guest can't see the project | How to transfer workspace ownership | Member can't edit tasks | Admin rights for our new team lead",
        problems="We invited a contractor as a guest but they can't see {project}. | Our workspace owner is leaving and we need to transfer ownership. | One member can open tasks but not edit them. | How do I give our new team lead admin rights?",
        details="I'm an admin. | It's blocking the onboarding. | The project is private. | We are on the Business plan.",
        steps="Guests only see projects they were added to; adding them under the project's Permissions gives access. | Ownership moves to an existing admin from Settings > Members > Make owner. | Private project permissions (Can edit / Can comment / Can view) override the workspace role.",
        asks="Could you tell me the project name and the guest's email? | Who should become the new owner?",
        fixes="The guest has been added to the project and can see it. | Ownership has been transferred.",
    ),
    _t(
        "webhooks",
        "webhooks",
        group="Engineering",
        subjects="Webhook disabled after failures | Webhook signature doesn't match | Missing webhook events | Webhooks arriving out of order",
        problems="Our webhook was disabled and we didn't notice for a day. | The X-Polaris-Signature header never matches the HMAC we compute. | We don't receive task.completed events anymore. | Events for the same task arrive out of order.",
        details="Our endpoint returns 200. | We compute HMAC-SHA256 as documented. | Error code {code} shows in the delivery log. | We process events in a queue.",
        steps="After 24 hours of failed deliveries a webhook is disabled; it can be re-enabled and failed events redelivered from the delivery log. | The signature covers the raw body; frameworks that re-serialise the JSON before hashing always produce a mismatch. | Events may arrive out of order by design; the updated_at field lets you discard stale ones.",
        asks="Could you share the webhook id and one delivery id that failed? | Which framework does your endpoint use?",
        fixes="Hashing the raw body fixed the signature check. | The webhook is re-enabled and the missed events were redelivered.",
    ),
    _t(
        "reports",
        "reports dashboards",
        subjects="Dashboard widgets stuck loading | Scheduled report not sent | Time tracking report empty | Dashboard shared link asks to sign in",
        problems="Our main dashboard widgets spin forever. | The weekly scheduled report didn't go out on Monday. | The time tracking report for last month is empty. | People open the shared dashboard link and are asked to sign in.",
        details="The dashboard covers {count} projects. | It worked last week. | Time tracking is enabled. | This is for our monthly review.",
        steps="Widgets time out above 200 000 tasks; narrowing the project filter or date range makes them load. | Scheduled reports skip recipients whose address bounced; the schedule page shows the last delivery status. | Private links have to be enabled in the dashboard's share menu for people outside the workspace.",
        asks="Could you send the dashboard link so I can look at the widget filters? | Who were the recipients of the scheduled report?",
        fixes="With a narrower filter the widgets load. | The schedule is fixed and the report went out.",
    ),
    _t(
        "perf",
        "performance",
        subjects="Board very slow to load | Polaris is sluggish today | Timeline view freezes | Search takes forever",
        problems="Our main board takes {count} seconds to open. | Everything in Polaris feels sluggish today. | The timeline view freezes when I scroll. | Search results take a very long time to appear.",
        details="We have lots of cards on that board. | I'm on {browser}. | Our office network is fine otherwise. | It started {when}.",
        steps="Boards with more than 5 000 visible cards load slowly; archiving completed tasks or using List view helps right away. | Browser extensions are a common cause; a private window without extensions tells us quickly. | The network test at app.polaris.example/nettest gives us the numbers we need.",
        asks="Could you run the network test at app.polaris.example/nettest and send the result? | Roughly how many cards are on the board?",
        fixes="After archiving completed tasks the board opens quickly. | The slow search was caused by an incident that is now resolved.",
    ),
    _t(
        "account",
        "account",
        subjects="Change workspace URL | Delete old workspace | Merge two workspaces | Update the email on my account",
        problems="We'd like to change our workspace URL to match our new company name. | We have an old test workspace we want to delete. | Two teams started separate workspaces and want to merge them. | I need to change the email address on my account.",
        details="I'm the owner. | The old name still shows in links. | Both workspaces are on the Pro plan. | My old address stops working soon.",
        steps="Owners change the URL under Settings > General; old links redirect for 90 days. | Deleting a workspace is in Settings > General > Delete workspace, with a 30-day grace period. | Merging is done by exporting projects from one workspace and importing them into the other.",
        asks="Could you confirm the workspace URL you want to change? | Which workspace should remain?",
        fixes="The URL has been changed and redirects are active. | The workspace is scheduled for deletion.",
    ),
)

GREETINGS = (
    "Hi,",
    "Hello,",
    "Hi there,",
    "Hello Polaris team,",
    "Hi support,",
    "Good morning,",
    "Hey,",
)
IMPACTS = (
    "This is blocking our team.",
    "It's not urgent but quite annoying.",
    "We have a deadline on Friday.",
    "About {count} people are affected.",
    "Our managers rely on this every morning.",
    "Could you have a look?",
    "It worked fine until recently.",
    "",
)
ASKS = (
    "Can you help?",
    "What should we do?",
    "Is this a known issue?",
    "Any idea what's going on?",
    "Please advise.",
    "Thanks in advance for your help.",
)
SIGNOFFS = ("Thanks,", "Best,", "Cheers,", "Kind regards,", "Thank you,", "Regards,")
FOLLOW_UPS = (
    "Thanks for the quick answer. I tried that, but the problem is still there.",
    "I did what you suggested and it partly helped; some of the team still see it.",
    "Here are the details you asked for. Let me know if you need anything else.",
    "Quick update: it happened again this morning around {when}.",
    "Thanks! One more question: does this also apply to our other projects?",
)
ACKS = (
    "Thanks for reaching out, and sorry for the trouble.",
    "Thanks for the details, that helps a lot.",
    "Thanks for your patience while we looked into this.",
    "I understand how disruptive this is.",
)
CLOSINGS = (
    "Let me know how it goes.",
    "If anything is still unclear, just reply to this message.",
    "I'll keep this ticket open until you confirm.",
    "Happy to jump on a call if that helps.",
)
THANKS = (
    "That fixed it, thank you!",
    "Works now. Thanks for the help.",
    "All good on our side, thanks.",
    "Perfect, thanks a lot!",
    "Confirmed, everything works again.",
)
NOTES = (
    "Checked the logs: errors started around {when}.",
    "Reproduced on staging with a test workspace.",
    "Linked to engineering issue ENG-{code}.",
    "Customer is on the {tier} plan; {count} seats.",
    "Similar report from another customer this week; watching for a pattern.",
    "Asked engineering in #support-escalations for a second look.",
    "Waiting for the customer to confirm before closing.",
)
FILL = {
    "idp": ("Okta", "Azure AD", "Google Workspace", "OneLogin", "JumpCloud"),
    "browser": ("Chrome", "Firefox", "Safari", "Edge"),
    "phone": ("Pixel 8", "iPhone 15", "Galaxy S23", "iPhone 13", "OnePlus 12"),
    "source": ("Jira", "Trello", "Asana", "Monday"),
    "project": (
        "Website relaunch",
        "Q3 roadmap",
        "Onboarding",
        "Mobile v2",
        "Marketing calendar",
        "Hiring pipeline",
    ),
    "when": (
        "yesterday",
        "this morning",
        "Monday",
        "last week",
        "the last release",
        "about an hour ago",
    ),
}

# -- escalation scenarios (the only banks using the trigger words) ----------

HUMAN_REQUESTS = (
    "I want to speak to a real person, not another canned answer.",
    "Please let me talk to a human about this.",
    "I'd like to speak to a manager.",
    "Can I speak to a real person on the phone today?",
    "Honestly, let me talk to a human who can actually fix this.",
)
BILLING = _t(
    "billing",
    "billing",
    group="Billing",
    subjects="Charged twice this month | Refund for unused seats | Invoice is wrong | Requesting a refund after downgrade | Double charge on our card",
    problems="We were charged twice for this month's subscription. | We removed {count} seats and would like a refund for them. | Our latest invoice is wrong: the VAT number and company address are missing. | We downgraded last week and expected a refund for the difference. | Our card shows a double charge from Polaris.",
    details="Our finance team needs this sorted before month end. | The invoice number is INV-{code}. | Please send a corrected invoice. | The amount is listed twice on the card statement.",
    steps="I've passed this to our billing team, who can see both charges. | Removed seats are credited on the next invoice; our billing team will confirm the amount.",
    asks="Could you send the last four digits of the card and the invoice numbers?",
    fixes="The duplicate charge has been refunded. | A corrected invoice has been issued.",
)
DATA_INTEGRITY = _t(
    "data",
    "data-integrity",
    group="Engineering",
    subjects="Records disappeared from {project} | Data loss after {source} import | Duplicated rows after sync | Custom field values corrupted | Tasks vanished overnight",
    problems="About {count} tasks disappeared from {project} overnight and they are not in the trash. | After the {source} import we have data loss: comments and due dates are gone. | Since the last sync every task shows up twice: duplicated rows everywhere in the export. | The values in our custom fields look corrupted, full of strange characters. | Records disappeared from our board and the activity log shows nothing.",
    details="Nobody on our side deleted anything. | We need this data for a client delivery. | I have screenshots from before and after. | It affects several projects.",
    steps="I've asked engineering to check the project's change history and backups right away.",
    asks="Could you list a few task keys that are missing or duplicated?",
    fixes="Engineering restored the missing records from backup.",
)
LEGAL = _t(
    "legal",
    "legal compliance",
    group="Legal & Compliance",
    subjects="GDPR erasure request | Signed data processing agreement needed | Subpoena regarding user data | HIPAA question | Our lawyer needs the subprocessor list",
    problems="We received a GDPR erasure request from a former employee and need your help to complete it. | Our procurement team needs a countersigned data processing agreement before renewal. | We received a subpoena that covers data stored in our Polaris workspace. | We are a healthcare provider and need to know whether Polaris signs a HIPAA BAA. | Our lawyer asked for the list of subprocessors and where our data is stored.",
    details="The deadline is in ten days. | Please treat this as confidential. | Our legal team is cc'd. | We need this in writing.",
    steps="I've forwarded this to our legal and compliance team.",
    asks="Could you confirm the workspace URL and the contact for your legal team?",
    fixes="The signed documents were sent to your legal contact.",
)
CHASERS = (
    "Any update on this?",
    "Still not working. Is anyone looking at this?",
    "Following up again; we are still blocked.",
    "Hello? It's been days and this is still open.",
    "Third message about the same issue. Please respond.",
)
