// The browser app of hosted-amplify.test.mjs: Amplify v6 configured for cognito-emu's hosted
// sign-in pages (the values come from /config.json, written by the test), bundled with esbuild
// at test time. It shows what Amplify reports in the DOM for the test to read:
//   #status   "ready" once configured, "signed-in" when the session is read, "refreshed" after
//             the refresh button, "signed-out"
//   #events   the Hub 'auth' events in order (JSON array of names)
//   #user     getCurrentUser() as JSON
//   #session  fetchAuthSession(): the raw ID and access tokens (JSON)
//   #error    the message of a failure (Hub signInWithRedirect_failure, or a rejected call)
import { Amplify } from "aws-amplify";
import { Hub } from "aws-amplify/utils";
import {
  fetchAuthSession,
  getCurrentUser,
  signInWithRedirect,
  signOut,
} from "aws-amplify/auth";

const $ = (id) => document.getElementById(id);
const events = [];

function fail(err) {
  $("error").textContent = `${err?.name || "Error"}: ${err?.message || err}`;
}

// The signed-in state as Amplify sees it; forceRefresh: new tokens from the refresh token
// (Amplify calls GetTokensFromRefreshToken at userPoolEndpoint).
async function showSession(forceRefresh = false) {
  const user = await getCurrentUser();
  const session = await fetchAuthSession({ forceRefresh });
  $("user").textContent = JSON.stringify(user);
  $("session").textContent = JSON.stringify({
    idToken: session.tokens?.idToken?.toString(),
    accessToken: session.tokens?.accessToken?.toString(),
    userSub: session.userSub,
  });
  $("status").textContent = forceRefresh ? "refreshed" : "signed-in";
}

// Registered before Amplify.configure: configuring on the callback URL completes the flow.
Hub.listen("auth", ({ payload }) => {
  events.push(payload.event);
  $("events").textContent = JSON.stringify(events);
  if (payload.event === "signInWithRedirect") showSession().catch(fail);
  if (payload.event === "signInWithRedirect_failure") fail(payload.data?.error || payload.data);
  if (payload.event === "signedOut") $("status").textContent = "signed-out";
});

const config = await (await fetch("/config.json")).json();
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: config.userPoolId,
      userPoolClientId: config.userPoolClientId,
      userPoolEndpoint: config.userPoolEndpoint,
      loginWith: {
        oauth: {
          domain: config.domain,
          scopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
          redirectSignIn: [config.appUrl],
          redirectSignOut: [config.appUrl],
          responseType: "code",
        },
      },
    },
  },
});

$("sign-in").onclick = () => signInWithRedirect().catch(fail);
$("refresh").onclick = () => {
  $("status").textContent = "refreshing";
  showSession(true).catch(fail);
};
$("sign-out").onclick = () => signOut().catch(fail);
for (const button of document.querySelectorAll("button")) button.disabled = false;
$("status").textContent = "ready";
