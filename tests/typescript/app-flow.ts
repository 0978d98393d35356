// An app's journeys through the API, written against the TypeScript client generated from the
// served OpenAPI document (openapi-typescript + openapi-fetch) and type-checked with `tsc --strict`
// before it runs, so that the server and its document cannot drift apart unnoticed.
//
// Run by infra/local/contract-checks.sh against the local API it started:
//   node out/app-flow.js <api base URL> <SNS emulator URL>
// Each journey logs one line; any unexpected answer throws with the answer's body.

import createClient from "openapi-fetch";
import { randomInt, randomUUID } from "node:crypto";
import type { components, paths } from "./api.js";

type Session = components["schemas"]["Session"];

function argument(index: number): string {
  const value = process.argv[index];
  if (!value) {
    throw new Error("usage: app-flow.js <api base URL> <SNS emulator URL> <holder's ID number> <their photo receipt>");
  }
  return value;
}
const apiUrl = argument(2);
const snsUrl = argument(3);
// The permit holder's ID number and the 图像号 of the photo a studio took of them (the script
// had the local photo studio take it).
const holderIdNumber = argument(4);
const holderPhoto = argument(5);
const api = createClient<paths>({ baseUrl: apiUrl });

function check(condition: boolean, what: string, answer?: unknown): asserts condition {
  if (!condition) {
    throw new Error(`${what}: ${JSON.stringify(answer)}`);
  }
}

/** The data of a successful answer, or a thrown error naming the call and its problem. */
function ok<T>(what: string, result: { data?: T; error?: unknown; response: Response }): T {
  check(result.response.ok && result.data !== undefined, `${what} answered ${result.response.status}`, result.error);
  return result.data;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

// --- test data ----------------------------------------------------------------------------------

/** A valid random resident ID number (GB 11643 check character). */
function residentIdNumber(): string {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  const first17 =
    "440304199" + pad(randomInt(10), 1) + pad(1 + randomInt(12), 2) + pad(1 + randomInt(28), 2) + pad(randomInt(1000), 3);
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const total = [...first17].reduce((sum, digit, i) => sum + Number(digit) * (weights[i] ?? 0), 0);
  return first17 + "10X98765432"[total % 11];
}

const randomPhone = () => "13" + String(randomInt(1_000_000_000)).padStart(9, "0");
const deviceId = () => `ts-app-${randomUUID()}`;

// --- SMS, read from the emulator -----------------------------------------------------------------

async function smsTo(phone: string): Promise<string[]> {
  const answer = await fetch(`${snsUrl}/moto-api/data.json`);
  const data = (await answer.json()) as { sns?: { SMS?: { phone_number: string; message: string }[] } };
  return (data.sns?.SMS ?? []).filter((m) => m.phone_number === `+86${phone}`).map((m) => m.message);
}

/** Runs `request` (which queues one SMS to `phone`) and answers the 6-digit code it carried. */
async function codeFrom(phone: string, request: () => Promise<unknown>): Promise<string> {
  const before = (await smsTo(phone)).length;
  await request();
  for (let tries = 0; tries < 200; tries++) {
    const messages = await smsTo(phone);
    const message = messages[before];
    const code = message?.match(/\d{6}/)?.[0];
    if (code) {
      return code;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no SMS reached ${phone}`);
}

// --- accounts and sessions -----------------------------------------------------------------------

type Platform = components["schemas"]["Platform"];

interface Person {
  platform: "residence_registration" | "residence_permit";
  username: string;
  password: string;
  phone: string;
  idNumber: string;
  realName: string;
}

async function register(
  platform: Person["platform"],
  realName: string,
  idNumber: string = residentIdNumber(),
): Promise<Person> {
  const person: Person = {
    platform,
    username: `ts${randomUUID().slice(0, 12)}`,
    password: `Ts-App-Flow-${randomUUID().slice(0, 8)}`,
    phone: randomPhone(),
    idNumber,
    realName,
  };
  const code = await codeFrom(person.phone, () =>
    api.POST("/v1/sms-codes", { body: { phone: person.phone, purpose: "register" } }),
  );
  const created = await api.POST("/v1/accounts", {
    params: { header: { "Idempotency-Key": randomUUID() } },
    body: {
      account_type: platform,
      username: person.username,
      password: person.password,
      real_name: realName,
      id_type: "resident_id",
      id_number: person.idNumber,
      phone: person.phone,
      sms_code: code,
    },
  });
  ok("register", created);
  return person;
}

/** Logs in on a new device: the password, the login ticket, the code to the account's phone. */
async function login(platform: Platform, username: string, password: string, phone: string): Promise<Session> {
  const device_id = deviceId();
  const first = await api.POST("/v1/sessions", { body: { platform, username, password, device_id } });
  check(first.response.status === 401, "a new device needs a code", first.error);
  const ticket = (first.error as { login_ticket?: string } | undefined)?.login_ticket;
  check(typeof ticket === "string", "SMS_CODE_REQUIRED carries a login ticket", first.error);
  const code = await codeFrom(phone, () =>
    api.POST("/v1/sms-codes", { body: { phone, purpose: "login", login_ticket: ticket } }),
  );
  const session = ok(
    "login with the code",
    await api.POST("/v1/sessions", { body: { platform, username, password, device_id, phone, sms_code: code } }),
  );
  check(session.expires_in <= 900 && session.refresh_token.length > 0, "a short access token and a refresh token", session);
  return session;
}

async function staffSession(): Promise<Session> {
  const password = process.env.LOCAL_STAFF_PASSWORD || "staff-local-pass-2026";
  return login("staff", "staff", password, "13900000000");
}

// --- the journeys --------------------------------------------------------------------------------

async function registrationJourney(staff: Session, holder: Person): Promise<void> {
  const citizen = await register("residence_registration", "李四");
  let session = await login(citizen.platform, citizen.username, citizen.password, citizen.phone);
  const refreshed = ok("refresh", await api.POST("/v1/sessions/refresh", { body: { refresh_token: session.refresh_token } }));
  check(refreshed.refresh_token !== session.refresh_token, "the refresh token rotates", refreshed);
  session = refreshed;
  const auth = bearer(session.access_token);

  // Search a building and one of its houses, link it, and staff approve the link.
  const buildings = ok("search", await api.GET("/v1/buildings", { params: { query: { street: "440303001", limit: 20 } } }));
  const building = buildings.items[randomInt(Math.max(1, buildings.items.length))];
  check(building !== undefined, "the local address data has buildings", buildings);
  const houses = ok(
    "houses",
    await api.GET("/v1/buildings/{building_id}/houses", { params: { path: { building_id: building.building_id } } }),
  );
  const house = houses.items[randomInt(Math.max(1, houses.items.length))];
  check(house !== undefined, "the building has houses", houses);
  const link = ok(
    "link",
    await api.POST("/v1/me/houses", {
      headers: auth,
      params: { header: { "Idempotency-Key": randomUUID() } },
      body: { declarant_type: "lessor", house_id: house.house_id },
    }),
  );
  const approved = ok(
    "approve",
    await api.POST("/v1/staff/house-links/{link_id}/decision", {
      headers: bearer(staff.access_token),
      params: { path: { link_id: link.link_id }, header: { "Idempotency-Key": randomUUID() } },
      body: { approve: true },
    }),
  );
  check(approved.status === "approved", "the link is approved", approved);

  // Declare the permit holder as a resident; the first answer is lost, the retry gets it again.
  const key = randomUUID();
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const declaration = {
    headers: auth,
    params: { path: { link_id: link.link_id }, header: { "Idempotency-Key": key } },
    body: {
      name: holder.realName,
      sex: Number(holder.idNumber[16]) % 2 === 1 ? ("1" as const) : ("2" as const),
      ethnicity: "01" as const,
      birth_date: `${holder.idNumber.slice(6, 10)}-${holder.idNumber.slice(10, 12)}-${holder.idNumber.slice(12, 14)}`,
      id_type: "resident_id" as const,
      id_number: holder.idNumber,
      household_address: "广东省梅州市梅江区江南路8号",
      marital_status: "20" as const,
      education: "30" as const,
      occupation: "软件工程师",
      workplace: "深圳市某科技有限公司",
      relationship: "租客",
      moved_in_on: today,
    },
  };
  await api.POST("/v1/me/houses/{link_id}/residents", declaration); // the answer never arrives
  const retried = await api.POST("/v1/me/houses/{link_id}/residents", declaration);
  const registration = ok("declare (retried)", retried);
  check(retried.response.headers.get("idempotent-replayed") === "true", "the retry is a replay", registration);
  const residents = ok(
    "residents",
    await api.GET("/v1/me/houses/{link_id}/residents", { headers: auth, params: { path: { link_id: link.link_id } } }),
  );
  check(residents.items.length === 1, "one registration, however often sent", residents);

  // The receipt PDF, and its public check.
  const receipt = await api.GET("/v1/registrations/{registration_id}/receipt", {
    headers: auth,
    params: { path: { registration_id: registration.registration_id } },
    parseAs: "arrayBuffer",
  });
  const pdf = ok("receipt", receipt);
  check(Buffer.from(pdf).subarray(0, 5).toString() === "%PDF-", "a PDF", receipt.response.status);
  const checked = ok(
    "receipt check",
    await api.GET("/v1/receipts/{receipt_no}", {
      params: { path: { receipt_no: registration.receipt_no }, query: { check_code: registration.check_code } },
    }),
  );
  check(checked.genuine === true, "the receipt is genuine", checked);

  // A forgotten password: a code to the account's phone, the reset, a login with the new one.
  const code = await codeFrom(citizen.phone, () =>
    api.POST("/v1/sms-codes", {
      body: { purpose: "reset_password", platform: citizen.platform, username: citizen.username, id_number: citizen.idNumber },
    }),
  );
  const newPassword = `Ts-Reset-${randomUUID().slice(0, 8)}`;
  const reset = await api.POST("/v1/password-resets", {
    body: {
      platform: citizen.platform,
      username: citizen.username,
      id_number: citizen.idNumber,
      sms_code: code,
      new_password: newPassword,
    },
  });
  check(reset.response.status === 204, "the password is reset", reset.error);
  const old = await api.GET("/v1/me", { headers: auth });
  check(old.response.status === 401, "the reset ended the session", old.error);
  await login(citizen.platform, citizen.phone, newPassword, citizen.phone);
  console.log(`app-flow: registration journey done (registration ${registration.registration_id})`);
}

async function permitJourney(staff: Session, holder: Person): Promise<void> {
  const session = await login(holder.platform, holder.username, holder.password, holder.phone);
  const auth = bearer(session.access_token);
  const me = ok("me", await api.GET("/v1/me", { headers: auth }));
  const verified = ok(
    "verify at the counter",
    await api.POST("/v1/staff/accounts/{account_id}/identity-verification", {
      headers: bearer(staff.access_token),
      params: { path: { account_id: me.account_id }, header: { "Idempotency-Key": randomUUID() } },
      body: {},
    }),
  );
  check(verified.identity_verified === true, "verified", verified);
  const eligibility = ok(
    "eligibility",
    await api.GET("/v1/me/permit-eligibility", { headers: auth, params: { query: { basis: "talent" } } }),
  );
  check(eligibility.basis === "talent", "assessed on the basis asked", eligibility);
  const application = ok(
    "apply",
    await api.POST("/v1/me/permit-applications", {
      headers: auth,
      params: { header: { "Idempotency-Key": randomUUID() } },
      body: {
        basis: "talent",
        certificate_no: "RC-2026-TS01",
        photo_receipt_no: holderPhoto,
        delivery: { pickup_point: "440303001" },
      },
    }),
  );
  const decided = ok(
    "approve",
    await api.POST("/v1/staff/permit-applications/{application_id}/decision", {
      headers: bearer(staff.access_token),
      params: { path: { application_id: application.application_id }, header: { "Idempotency-Key": randomUUID() } },
      body: { approve: true },
    }),
  );
  check(decided.status === "approved", "approved", decided);
  const permit = ok("permit", await api.GET("/v1/me/permit", { headers: auth }));
  const card = await api.GET("/v1/me/permit/card", { headers: auth, parseAs: "arrayBuffer" });
  check(Buffer.from(ok("card", card)).subarray(0, 5).toString() === "%PDF-", "a PDF card", card.response.status);
  const checked = ok(
    "permit check",
    await api.GET("/v1/permits/{permit_no}", {
      params: { path: { permit_no: permit.permit_no }, query: { check_code: permit.check_code } },
    }),
  );
  check(checked.genuine === true, "the permit is genuine", checked);
  console.log(`app-flow: permit journey done (permit ${permit.permit_no})`);
}

const staff = await staffSession();
const holder = await register("residence_permit", "王五", holderIdNumber);
await registrationJourney(staff, holder);
await permitJourney(staff, holder);
console.log("app-flow: every journey done");
