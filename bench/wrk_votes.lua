-- wrk script of the prizes voting benchmark (bench/bench_prizes_voting.py).
-- Arguments after "--": the plan file, the CSRF token, the number of wrk threads,
-- and "bare" to post to the calibration view /bench/bare-vote/<category>/
-- (bench/urls.py: 201 stored, 409 already there) instead of the real vote.
-- Plan lines: "<session key> <client address> <category pk> <entry pk>"; each
-- thread sends its share of the lines in order (a racing duplicate is the
-- line after its original, so two connections carry them at the same time).
-- A vote is accepted when the answer redirects to "...#your-vote"; any other
-- redirect is a refusal, whose message cookie (``messages``, signed but not
-- timestamped, so equal messages give equal values) is tallied for the
-- harness to decode.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local plan = {}
local position = 0
local token = ""
local bare = false
accepted, refused, other = 0, 0, 0
cookies = {}

function init(args)
  local path, count = args[1], tonumber(args[3])
  token = args[2]
  bare = args[4] == "bare"
  local line_number = 0
  for line in io.lines(path) do
    if line_number % count == id then
      local session, address, category, entry = line:match("^(%S+) (%S+) (%S+) (%S+)$")
      table.insert(plan, {session, address, category, entry})
    end
    line_number = line_number + 1
  end
end

function request()
  position = position + 1
  local vote = plan[((position - 1) % #plan) + 1]
  local headers = {
    ["Cookie"] = "sessionid=" .. vote[1] .. "; csrftoken=" .. token,
    ["X-CSRFToken"] = token,
    ["X-Forwarded-For"] = vote[2],
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  }
  local path = "/wsis/prizes/voting/categories/" .. vote[3] .. "/vote/"
  if bare then
    path = "/bench/bare-vote/" .. vote[3] .. "/"
  end
  return wrk.format("POST", path, headers, "entry=" .. vote[4])
end

function response(status, headers, body)
  local location = headers["Location"] or ""
  if bare then
    if status == 201 then
      accepted = accepted + 1
    elseif status == 409 then
      refused = refused + 1
    else
      other = other + 1
    end
  elseif status == 302 and location:find("#your-vote", 1, true) then
    accepted = accepted + 1
  elseif status == 302 then
    refused = refused + 1
    local cookie = (headers["Set-Cookie"] or ""):match("messages=([^;]*)") or "(none)"
    cookies[cookie] = (cookies[cookie] or 0) + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local total_accepted, total_refused, total_other = 0, 0, 0
  local tally = {}
  for _, thread in ipairs(threads) do
    total_accepted = total_accepted + thread:get("accepted")
    total_refused = total_refused + thread:get("refused")
    total_other = total_other + thread:get("other")
    for cookie, count in pairs(thread:get("cookies")) do
      tally[cookie] = (tally[cookie] or 0) + count
    end
  end
  local parts = {}
  for cookie, count in pairs(tally) do
    table.insert(parts, string.format('"%s": %d', cookie, count))
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"non_2xx": %d, "socket_errors": %d, "accepted": %d, "refused": %d, "other": %d, "refusal_cookies": {%s}}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    total_accepted, total_refused, total_other, table.concat(parts, ", ")))
end
