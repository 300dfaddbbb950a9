return redis.call('ZCOUNT', EXPIRIES, '(' .. now_ms(), '+inf')
