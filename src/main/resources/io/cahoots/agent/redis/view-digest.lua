#!lua flags=no-writes,allow-stale
-- The node's own CLUSTER NODES line (the only one with its open-slot markers), a digest of its whole view
-- and its line count. The digest is io.cahoots.agent.cluster.ViewDigest: keep the two identical.
local raw = redis.call('CLUSTER', 'NODES')
local acc = {0, 0, 0, 0, 0}
local own = ''
local count = 0
for line in string.gmatch(raw, '[^\n]+') do
  local t = {}
  for tok in string.gmatch(line, '%S+') do t[#t + 1] = tok end
  if #t > 0 then
    count = count + 1
    local flags = t[3] or ''
    if string.find(',' .. flags .. ',', ',myself,', 1, true) then
      own = line
    end
    flags = string.gsub(string.gsub(flags, 'myself,', ''), ',myself', '')
    local n = {t[1], t[2] or '', flags, t[4] or '', t[7] or '', t[8] or ''}
    for i = 9, #t do
      if string.sub(t[i], 1, 1) ~= '[' then n[#n + 1] = t[i] end
    end
    local h = redis.sha1hex(table.concat(n, ' '))
    for w = 1, 5 do
      acc[w] = bit.bxor(acc[w], tonumber(string.sub(h, 8 * w - 7, 8 * w), 16))
    end
  end
end
local hex = ''
for w = 1, 5 do hex = hex .. bit.tohex(acc[w], 8) end
return {own, hex, count}
