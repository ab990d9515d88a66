"""The demo knowledge base: help-centre articles for Polaris, the fictional SaaS.

Each article is written as a spec (title, what it is about, steps, what to do
when it does not work) and rendered into a Markdown-ish body with the same
shape every time, so the KB pane and KB ranking have realistic material whose
vocabulary overlaps the demo tickets (SSO, SAML, 429, webhooks, CSV…).
"""

from __future__ import annotations

import re
from typing import NamedTuple

BASE_URL = "https://help.polaris.example/articles"
FIRST_ARTICLE_ID = 4101


class ArticleSpec(NamedTuple):
    section: str
    title: str
    intro: str
    steps: tuple[str, ...]
    trouble: str


def _a(section: str, title: str, intro: str, steps: str, trouble: str) -> ArticleSpec:
    return ArticleSpec(section, title, intro, tuple(s.strip() for s in steps.split("|")), trouble)


S_START, S_SIGNIN, S_PLANS = "Getting started", "Sign-in & SSO", "Plans & payments"
S_API, S_INT, S_DATA = "API & developers", "Integrations", "Import & export"
S_NOTIFY, S_MOBILE, S_PERM = "Notifications", "Mobile apps", "Permissions & teams"
S_REPORTS, S_HOOKS, S_SEC = "Reports & dashboards", "Webhooks", "Security & privacy"
S_TROUBLE = "Troubleshooting"

SPECS: tuple[ArticleSpec, ...] = (
    _a(
        S_START,
        "Create your first Polaris workspace",
        "A workspace holds your projects, boards and reports. Whoever creates it becomes its owner and can invite the rest of the team.",
        "Sign up at app.polaris.example with your work email | Choose a workspace name and URL (you can rename it later) | Pick a template or start from an empty project | Invite teammates from Settings > Members",
        "If the confirmation email does not arrive within five minutes, check your spam folder and make sure your mail server accepts messages from notifications@polaris.example.",
    ),
    _a(
        S_START,
        "Projects, boards and tasks explained",
        "Polaris organises work in three levels: projects group related boards, boards show tasks as columns or a timeline, and tasks carry assignees, due dates and custom fields.",
        "Open a project from the sidebar | Switch between Board, List and Timeline views with the view picker | Drag a task between columns to change its status | Press N anywhere to create a task",
        "Tasks that seem to vanish are usually hidden by a saved filter; clear filters from the filter bar or switch to the All tasks view.",
    ),
    _a(
        S_START,
        "Invite teammates and guests",
        "Members see every public project in the workspace; guests see only the projects they are invited to and do not count towards paid seats on Business and Enterprise plans.",
        "Go to Settings > Members | Click Invite and enter one or more email addresses | Choose Member or Guest | For guests, select the projects they may open",
        "Invitations expire after 14 days. Resend them from the Pending tab; an invitation sent to a mistyped address can be revoked there too.",
    ),
    _a(
        S_START,
        "Keyboard shortcuts",
        "Most of Polaris can be driven from the keyboard. Press ? in the app to see the full list for the page you are on.",
        "N creates a task, E edits the selected task | / focuses search, G then P jumps to projects | Shift+A assigns the task to yourself | Ctrl+Enter saves a comment",
        "Shortcuts are disabled while a text field has focus; press Esc first. Browser extensions that capture keys (Vimium, some password managers) can also intercept them.",
    ),
    _a(
        S_START,
        "Rename a workspace or change its URL",
        "Owners and admins can rename a workspace at any time. Changing the URL redirects old links for 90 days.",
        "Open Settings > General | Edit the workspace name or URL slug | Click Save and confirm | Tell integrations that store the old URL (Zapier, custom scripts) about the change",
        "If the new URL is reported as taken, it may belong to a deleted workspace that is still in its 30-day grace period.",
    ),
    _a(
        S_SIGNIN,
        "Set up SAML single sign-on (SSO)",
        "Business and Enterprise workspaces can require sign-in through an identity provider such as Okta, Azure AD (Entra ID), Google Workspace or OneLogin using SAML 2.0.",
        "In Polaris, open Settings > Security > Single sign-on and copy the ACS URL and Entity ID | Create a SAML app in your identity provider with those values | Paste the IdP metadata URL or upload the XML certificate in Polaris | Test with one account before enforcing SSO for everyone",
        "A sign-in loop that returns to the login page almost always means the NameID format is not emailAddress or the user's email in the IdP differs from the one in Polaris.",
    ),
    _a(
        S_SIGNIN,
        "SSO sign-in loop or 'SAML response invalid'",
        "When SSO is misconfigured, users are sent back to the sign-in page or see 'SAML response invalid'. The cause is usually a certificate or clock problem.",
        "Check that the IdP certificate uploaded in Polaris has not expired or been rotated | Verify the ACS URL ends with /sso/saml/callback | Make sure the IdP server clock is within three minutes of UTC | Use the SAML tracer browser extension to capture the response for support",
        "Admins can always sign in with their password at app.polaris.example/login?sso=bypass, so a broken SSO setup never locks the owner out.",
    ),
    _a(
        S_SIGNIN,
        "Reset your password",
        "Password resets are handled by email. Accounts that sign in through SSO must reset their password with the identity provider instead.",
        "Click Forgot password on the sign-in page | Enter your account email | Open the reset link within 60 minutes | Choose a password of at least 12 characters",
        "If the reset link says it has expired, request a new one: only the most recent link works.",
    ),
    _a(
        S_SIGNIN,
        "Two-factor authentication and recovery codes",
        "Two-factor authentication (2FA) adds a one-time code from an authenticator app to every sign-in. Workspaces can require it for all members.",
        "Open Profile > Security | Click Enable two-factor authentication and scan the QR code | Enter the six-digit code to confirm | Download and store your recovery codes somewhere safe",
        "Lost your phone? Sign in with a recovery code. Without recovery codes a workspace admin can reset 2FA for you from Settings > Members.",
    ),
    _a(
        S_SIGNIN,
        "SCIM user provisioning",
        "With SCIM, your identity provider creates, updates and deactivates Polaris accounts automatically. Available on Enterprise.",
        "Generate a SCIM token in Settings > Security > Provisioning | Enter the SCIM base URL and token in your IdP | Assign groups to the Polaris app | Watch the provisioning log for the first sync",
        "Users created by SCIM cannot change their own email; update it in the IdP and the next sync applies it.",
    ),
    _a(
        S_SIGNIN,
        "Session timeouts and staying signed in",
        "Sessions last 14 days by default. Admins can shorten them, and SSO workspaces follow the identity provider's session policy.",
        "Open Settings > Security > Sessions | Choose a session length | Optionally sign everyone out after changing the policy",
        "Being signed out every few minutes usually means a browser blocks third-party cookies for app.polaris.example; add it to the allowed sites.",
    ),
    _a(
        S_PLANS,
        "Compare Free, Pro, Business and Enterprise",
        "Every plan includes unlimited tasks. Paid plans add more projects, automation runs, guests, SSO and audit logs.",
        "Free: up to 3 projects and 5 members | Pro: unlimited projects, 250 automation runs a month | Business: SSO, guests, advanced reports | Enterprise: SCIM, audit log, data residency and a named success manager",
        "Plan limits are checked when you create something new; existing projects keep working if you downgrade.",
    ),
    _a(
        S_PLANS,
        "Upgrade or downgrade your plan",
        "Owners can change plans at any time from the Plans page. Upgrades apply immediately; downgrades take effect at the end of the current period.",
        "Open Settings > Plan | Choose the new plan and seat count | Review the prorated amount | Confirm the change",
        "If the Upgrade button is greyed out, you are not the workspace owner or a pending payment method check is still running.",
    ),
    _a(
        S_PLANS,
        "Update your payment method",
        "Polaris accepts major cards and, on annual Business and Enterprise plans, bank transfer.",
        "Open Settings > Plan > Payment method | Click Replace card | Enter the new card details and complete any bank verification | Retry any outstanding payment from the same page",
        "Cards issued outside the billing country sometimes need 3-D Secure approval in the bank app before the payment goes through.",
    ),
    _a(
        S_PLANS,
        "Download invoices and receipts",
        "Every payment produces an invoice and a receipt in PDF, kept for seven years.",
        "Open Settings > Plan > Invoices | Click the invoice number to open the PDF | Use Edit billing details to add a VAT or tax id and a purchase order number for future invoices",
        "Details added after an invoice was issued do not change it; ask support to reissue the invoice if it needs correcting.",
    ),
    _a(
        S_PLANS,
        "Refund policy",
        "Monthly plans are not refunded for partial months, but removed seats are credited on the next invoice. Annual plans can be refunded within 30 days of purchase.",
        "Reduce seats from Settings > Plan to receive a prorated credit | For an annual refund, contact support from the owner account | Refunds reach the original card within 5 to 10 business days",
        "If you were charged twice, do not dispute the charge with your bank first: a dispute freezes the workspace while it is investigated. Contact support and we will refund the duplicate.",
    ),
    _a(
        S_PLANS,
        "Seats, guests and how they are counted",
        "A seat is any active member. Guests are free on Business and Enterprise; deactivated members free their seat immediately.",
        "See seat usage in Settings > Plan | Deactivate members who left from Settings > Members | Convert occasional collaborators to guests",
        "Seats freed mid-period are credited on the next invoice, not refunded to the card.",
    ),
    _a(
        S_API,
        "Create and manage API keys",
        "API keys authenticate scripts and integrations against the Polaris REST API. Each key belongs to a user and has that user's permissions.",
        "Open Profile > API keys | Click New key, name it after the script that will use it | Copy the key now: it is shown only once | Revoke keys you no longer use",
        "A 401 Unauthorized response means the key was revoked or its owner was deactivated; create a new key under an active account.",
    ),
    _a(
        S_API,
        "API rate limits and 429 Too Many Requests",
        "The API allows 100 requests per minute per key on Pro and 600 on Business and Enterprise. Exceeding it returns HTTP 429 with a Retry-After header.",
        "Read the X-RateLimit-Remaining header to pace requests | On 429, wait the number of seconds in Retry-After before retrying | Use bulk endpoints (/tasks/batch) instead of one request per task | Cache project and member lists instead of fetching them every time",
        "Several scripts sharing one key share its limit; give each integration its own key so one noisy job cannot starve the others.",
    ),
    _a(
        S_API,
        "Paginate API results",
        "List endpoints return at most 100 items per page and a cursor for the next page.",
        "Request the first page without a cursor | Pass next_cursor from the response as ?cursor= | Stop when next_cursor is null",
        "Offsets are not supported: a cursor stays valid while items are added, an offset would skip or repeat them.",
    ),
    _a(
        S_API,
        "API changelog and deprecations",
        "Breaking changes are announced 6 months ahead in the changelog and in the Deprecation response header.",
        "Subscribe to the changelog feed | Log the Deprecation and Sunset headers your scripts receive | Move to the new version before the sunset date",
        "Requests to a retired endpoint return 410 Gone with a link to its replacement.",
    ),
    _a(
        S_API,
        "OAuth apps for integrations",
        "Public integrations should use OAuth 2.0 instead of API keys so each customer authorises access to their own workspace.",
        "Register an app under Settings > Developer > OAuth apps | Set the redirect URI | Request only the scopes you need | Refresh access tokens before they expire after one hour",
        "'invalid_grant' on refresh means the user revoked the app or the refresh token was already used.",
    ),
    _a(
        S_INT,
        "Connect Slack",
        "The Slack integration posts task updates to channels and lets people create tasks from messages.",
        "Open Settings > Integrations > Slack and click Connect | Approve the Polaris app in Slack | Pick a channel for each project | Choose which events are posted",
        "If posts stop after a Slack admin change, reconnect the integration: Slack revokes tokens when the installing user is deactivated.",
    ),
    _a(
        S_INT,
        "Slack notifications stopped arriving",
        "When project updates stop appearing in Slack, the connection, the channel or the event filter has changed.",
        "Check Settings > Integrations > Slack shows Connected | Invite the Polaris bot to private channels with /invite @Polaris | Review the event filter of the project | Send a test message from the integration page",
        "Archived or renamed channels break the mapping; pick the channel again in the project's Slack settings.",
    ),
    _a(
        S_INT,
        "Connect GitHub",
        "Link pull requests and commits to tasks by mentioning the task key (for example POL-123) in the branch name, commit message or PR title.",
        "Open Settings > Integrations > GitHub and install the Polaris GitHub App | Select the repositories to connect | Mention task keys in branches and PRs | Optionally move tasks to Done when a PR merges",
        "Links appear only for repositories the app can access; organisation owners may need to approve the installation.",
    ),
    _a(
        S_INT,
        "GitHub pull requests are not linking to tasks",
        "Missing links are nearly always a repository access or task key problem.",
        "Confirm the repository is selected in the GitHub App settings | Check the task key format matches the project (POL-123, not #123) | Look at the delivery log in Settings > Integrations > GitHub | Re-sync the repository",
        "Links are created from new events only; PRs opened before the integration was connected are not linked retroactively.",
    ),
    _a(
        S_INT,
        "Google Calendar and Outlook sync",
        "Task due dates can appear in Google Calendar or Outlook through a per-user calendar feed.",
        "Open Profile > Calendar | Copy the private iCal URL | Add it in your calendar app as a subscribed calendar",
        "Calendar apps refresh subscribed feeds on their own schedule, sometimes only every 12 hours.",
    ),
    _a(
        S_INT,
        "Zapier and Make",
        "Automate Polaris with thousands of other tools through Zapier or Make using the official Polaris app.",
        "Search for Polaris in Zapier or Make | Sign in and authorise the workspace | Choose a trigger such as New task or Task completed | Map fields and test the step",
        "Zaps run under the connecting user's permissions; tasks in projects they cannot see do not trigger.",
    ),
    _a(
        S_DATA,
        "Export a project to CSV or JSON",
        "Exports include tasks, custom fields, comments and attachment links. Large projects are exported in the background and emailed.",
        "Open the project menu and choose Export | Select CSV or JSON and the fields to include | Start the export | Download it from the email or from Settings > Exports within 7 days",
        "Exports over 50 000 tasks are split into several files; a timeout in the browser does not stop the background export.",
    ),
    _a(
        S_DATA,
        "Export the whole workspace",
        "Owners on Business and Enterprise can export everything at once, for backups or migrations.",
        "Open Settings > Data > Workspace export | Choose the format | Wait for the email with the archive link | Store the archive securely: it contains all comments and files",
        "Workspace exports are limited to one per 24 hours.",
    ),
    _a(
        S_DATA,
        "Import from CSV",
        "Bring tasks in from a spreadsheet. Each row becomes a task; columns map to task fields.",
        "Open the project menu and choose Import > CSV | Upload a UTF-8 file with a header row | Map each column to a field | Review the preview and start the import",
        "Rows that fail validation are listed in the import report with the reason (for example an unknown assignee email); fix them and import only those rows again.",
    ),
    _a(
        S_DATA,
        "Import from Jira, Trello or Asana",
        "The importers copy projects, tasks, comments, attachments and users from Jira Cloud, Trello and Asana.",
        "Open Settings > Data > Import and pick the source | Authorise access to the source account | Choose the projects to copy and map users | Start the import and follow progress on the same page",
        "An import stuck at the same percentage is usually waiting on the source tool's rate limit; it resumes on its own.",
    ),
    _a(
        S_DATA,
        "Restore deleted tasks and projects",
        "Deleted tasks and projects stay in the trash for 30 days.",
        "Open Settings > Trash | Filter by project or by who deleted the item | Select items and click Restore",
        "After 30 days items are purged permanently and cannot be restored by support.",
    ),
    _a(
        S_DATA,
        "Data retention and deletion",
        "Polaris keeps workspace data for as long as the workspace exists. Deleted workspaces are purged 30 days later, backups 90 days later.",
        "Owners delete a workspace from Settings > General > Delete workspace | Export data first if you need to keep it | Contact support for earlier purging",
        "Personal data of a single user can be erased without deleting the workspace; see the GDPR article.",
    ),
    _a(
        S_NOTIFY,
        "Choose which notifications you receive",
        "Notifications go to the inbox in the app, email and the mobile app. Each channel can be tuned separately.",
        "Open Profile > Notifications | Choose per event (mentions, assignments, due dates, comments) | Select instant, daily digest or off for email | Mute noisy projects from the project menu",
        "Workspace admins can set defaults for new members but cannot override personal choices.",
    ),
    _a(
        S_NOTIFY,
        "Email notifications are not arriving",
        "Missing emails are usually filtered by the mail server or turned off in the profile.",
        "Check Profile > Notifications has email enabled | Look in spam and quarantine folders | Ask IT to allow notifications@polaris.example and our sending domain mail.polaris.example | Check whether the address bounced in Profile > Email status",
        "After three bounces Polaris stops sending to an address; clear the bounce flag from the Email status page once the mailbox works again.",
    ),
    _a(
        S_NOTIFY,
        "Daily and weekly digests",
        "Digests bundle activity into one email sent at 8:00 in your time zone.",
        "Open Profile > Notifications > Digest | Choose daily or weekly | Set your time zone in Profile > General",
        "A digest arriving at the wrong hour means the profile time zone is not set; it defaults to UTC.",
    ),
    _a(
        S_NOTIFY,
        "Reminders for due dates",
        "Polaris reminds assignees the day before and on the morning of a due date.",
        "Open a task and set a due date | Click the bell icon to add a custom reminder | Choose in-app, email or push",
        "Reminders are not sent for tasks in archived projects.",
    ),
    _a(
        S_MOBILE,
        "Install the Polaris mobile app",
        "The iOS and Android apps cover tasks, comments, notifications and offline reading of recent projects.",
        "Install Polaris from the App Store or Google Play | Sign in with the same method as on the web (password or SSO) | Allow notifications when asked",
        "The apps need iOS 16 or Android 10 or later.",
    ),
    _a(
        S_MOBILE,
        "Push notifications on iOS and Android",
        "Push notifications mirror the in-app inbox and follow your notification settings.",
        "Enable notifications for Polaris in the phone settings | In the app, open Profile > Notifications > Push | Turn off Focus or battery saver rules that hold back notifications",
        "On Android, some manufacturers stop background apps aggressively; exclude Polaris from battery optimisation.",
    ),
    _a(
        S_MOBILE,
        "The mobile app crashes or will not start",
        "Crashes after an update are usually caused by a stale cache.",
        "Update to the latest version | Force quit and reopen the app | Sign out and back in | If it still crashes, reinstall: offline data is re-downloaded",
        "Send us the crash id shown in Profile > About so engineering can find the report.",
    ),
    _a(
        S_MOBILE,
        "Use Polaris offline",
        "Recently opened projects are kept on the device and can be read offline; changes are queued and synced when you reconnect.",
        "Open the projects you need while online | Work offline; queued changes show a clock icon | Reconnect to sync",
        "If the same task was changed on the web meanwhile, the latest change wins and the other is kept in the task history.",
    ),
    _a(
        S_PERM,
        "Roles: owner, admin, member and guest",
        "Roles decide who can change settings, invite people and see projects.",
        "Owner: everything, including plan and deletion | Admin: members, integrations, security settings | Member: all public projects | Guest: only invited projects",
        "There is exactly one owner. Transfer ownership before the owner leaves the company.",
    ),
    _a(
        S_PERM,
        "Transfer workspace ownership",
        "Ownership moves to an existing admin. The previous owner becomes an admin.",
        "Open Settings > Members | Find an admin and choose Make owner | Confirm with your password or SSO",
        "If the owner has already left and cannot sign in, support can transfer ownership after verifying the request from the company domain.",
    ),
    _a(
        S_PERM,
        "Private projects and project permissions",
        "Private projects are visible only to people added to them, whatever their workspace role (owners excepted).",
        "Open the project menu > Permissions | Switch visibility to Private | Add members and choose Can edit, Can comment or Can view",
        "A guest who cannot see a project has not been added to it; workspace-level guest access alone is not enough.",
    ),
    _a(
        S_PERM,
        "Teams and groups",
        "Teams make it easy to give several people access to projects at once.",
        "Create a team in Settings > Teams | Add members | Add the team to projects instead of individuals",
        "With SCIM, teams can be synchronised from identity provider groups.",
    ),
    _a(
        S_REPORTS,
        "Build a dashboard",
        "Dashboards combine charts from several projects: workload, burn-up, cycle time and custom field breakdowns.",
        "Open Reports > New dashboard | Add widgets and choose their projects and filters | Share the dashboard with a team or by private link",
        "Widgets refresh every 15 minutes; click Refresh for the latest numbers.",
    ),
    _a(
        S_REPORTS,
        "Dashboard widgets stuck loading",
        "Widgets that spin forever usually query too many projects or a very long date range.",
        "Narrow the widget filter to fewer projects | Shorten the date range | Remove widgets that use archived custom fields",
        "Widgets over 200 000 tasks time out; split them by project.",
    ),
    _a(
        S_REPORTS,
        "Schedule a report by email",
        "Any dashboard can be emailed as PDF on a schedule.",
        "Open the dashboard menu > Schedule | Choose recipients, frequency and time | Save",
        "Recipients outside the workspace receive a PDF only, without live links.",
    ),
    _a(
        S_REPORTS,
        "Time tracking reports",
        "Time logged on tasks can be reported by person, project or custom field and exported.",
        "Enable time tracking in the project settings | Log time from the task timer | Open Reports > Time and choose the grouping | Export to CSV for payroll or invoicing",
        "Entries by deactivated members stay in reports.",
    ),
    _a(
        S_HOOKS,
        "Create a webhook",
        "Webhooks send an HTTPS POST to your endpoint when tasks, comments or projects change.",
        "Open Settings > Developer > Webhooks | Add the endpoint URL and choose events | Copy the signing secret | Respond with a 2xx status within 10 seconds",
        "Endpoints must use HTTPS with a valid certificate; self-signed certificates are rejected.",
    ),
    _a(
        S_HOOKS,
        "Verify webhook signatures",
        "Every delivery carries an X-Polaris-Signature header: an HMAC-SHA256 of the raw body with your signing secret.",
        "Read the raw request body before any JSON parsing | Compute HMAC-SHA256 with the signing secret | Compare with the header using a constant-time comparison | Reject deliveries older than five minutes using X-Polaris-Timestamp",
        "Signature mismatches are almost always caused by a framework re-serialising the JSON before you hash it.",
    ),
    _a(
        S_HOOKS,
        "Webhook deliveries failing or disabled",
        "Failed deliveries are retried with backoff for 24 hours. After 24 hours of failures the webhook is disabled and the owner is emailed.",
        "Open the webhook and read the delivery log for status codes | Fix the endpoint (timeouts, 4xx or 5xx responses) | Re-enable the webhook and redeliver failed events",
        "A 410 Gone response disables the webhook immediately: return it only when you really want deliveries to stop.",
    ),
    _a(
        S_HOOKS,
        "Webhook event reference",
        "Each event has a type, a timestamp and the changed object.",
        "task.created, task.updated, task.completed, task.deleted | comment.created | project.archived | member.added, member.removed",
        "Events may arrive out of order; use the updated_at field to discard stale ones.",
    ),
    _a(
        S_SEC,
        "GDPR and personal data requests",
        "Polaris acts as a processor for workspace data. Workspace owners handle access and erasure requests from their users; Polaris supports them.",
        "Export a person's data from Settings > Members > Export data | Erase a person with Settings > Members > Erase | For requests about Polaris itself, email privacy@polaris.example",
        "Erasure removes the person's name and email from comments and history; the content of tasks they wrote stays with the workspace.",
    ),
    _a(
        S_SEC,
        "Data processing agreement (DPA)",
        "A data processing agreement is included in the Terms for all customers. Business and Enterprise customers can request a countersigned copy.",
        "Download the standard DPA from the Trust Center | Request a countersigned copy from the owner account | Send any redlines to legal@polaris.example",
        "Redlined DPAs are reviewed by our legal team and take about two weeks.",
    ),
    _a(
        S_SEC,
        "Audit log",
        "The audit log records sign-ins, permission changes, exports and deletions for 12 months. Enterprise only.",
        "Open Settings > Security > Audit log | Filter by person, event or date | Export to CSV or stream it to your SIEM",
        "Audit log entries cannot be edited or deleted, even by the owner.",
    ),
    _a(
        S_SEC,
        "Data residency (EU and US)",
        "Enterprise workspaces can keep their data in the EU (Frankfurt) or the US (Virginia).",
        "Choose the region when the workspace is created | For existing workspaces, ask your success manager to schedule a migration",
        "Migrations run over a weekend with a read-only window of about two hours.",
    ),
    _a(
        S_SEC,
        "Security overview and compliance reports",
        "Polaris is SOC 2 Type II audited and encrypts data in transit (TLS 1.2+) and at rest (AES-256).",
        "Request the SOC 2 report from the Trust Center under NDA | Review the subprocessors list | Subscribe to security advisories",
        "Polaris does not sign HIPAA business associate agreements; do not store protected health information in the workspace.",
    ),
    _a(
        S_TROUBLE,
        "Polaris is slow to load",
        "Slow pages are usually caused by very large boards, browser extensions or the network path.",
        "Archive completed tasks or switch big boards to List view | Try a private window without extensions | Check status.polaris.example for incidents | Run the network test at app.polaris.example/nettest and send us the result",
        "Boards with more than 5 000 visible cards load noticeably slower; use filters or split the project.",
    ),
    _a(
        S_TROUBLE,
        "Supported browsers",
        "Polaris supports the two latest versions of Chrome, Edge, Firefox and Safari.",
        "Update your browser | Enable JavaScript and cookies for app.polaris.example | Clear the site data if pages look broken after an update",
        "Internet Explorer and legacy Edge are not supported.",
    ),
    _a(
        S_TROUBLE,
        "Check the Polaris status page",
        "Incidents and maintenance are published at status.polaris.example.",
        "Open status.polaris.example | Subscribe by email or RSS | Check the component (web app, API, integrations, notifications) affected",
        "If the status page is green but something is broken for you, contact support with the time and what you saw.",
    ),
    _a(
        S_TROUBLE,
        "Attachments fail to upload",
        "Attachments up to 250 MB are supported on paid plans, 10 MB on Free.",
        "Check the file size against your plan | Try another network: some proxies block large uploads | Upload from the desktop app for very large files",
        "Files with double extensions such as .pdf.exe are rejected for safety.",
    ),
    _a(
        S_TROUBLE,
        "Contact Polaris support",
        "Our team answers in English, German, French and Spanish. Enterprise customers also have a named success manager and phone support.",
        "Use the chat bubble in the app or email support@polaris.example | Include the workspace URL, what you expected and what happened | Add screenshots or the request id shown in error messages",
        "Urgent production issues on Enterprise: call the number on your order form for a response within one hour.",
    ),
)


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:60].rstrip("-")


def render_body(spec: ArticleSpec) -> str:
    steps = "\n".join(f"{n}. {step}." for n, step in enumerate(spec.steps, 1))
    return (
        f"{spec.intro}\n\n## Steps\n\n{steps}\n\n## If it does not work\n\n{spec.trouble}\n\n"
        "Still stuck? Contact Polaris Support from the chat bubble in the app and "
        "mention this article so we can pick up where it left off."
    )


def articles() -> list[tuple[str, str, str, str, str]]:
    """Rows (id, title, body, url, section) for the articles table."""
    rows = []
    for offset, spec in enumerate(SPECS):
        article_id = str(FIRST_ARTICLE_ID + offset)
        url = f"{BASE_URL}/{article_id}-{slugify(spec.title)}"
        rows.append((article_id, spec.title, render_body(spec), url, spec.section))
    return rows
