import { type FormEvent, useEffect, useState } from 'react';
import { navigate, useLocationSearch, usePath } from '../router.tsx';
import './search.css';

/** The desktop's one search box, above every page; it opens the results page with the words typed. */
export function SearchBar() {
  const path = usePath();
  const search = useLocationSearch();
  const current = path === '/search' ? (new URLSearchParams(search).get('q') ?? '') : '';
  const [text, setText] = useState(current);
  // Follow the results page's query (back and forward, a filter change) rather than keep stale words.
  useEffect(() => setText(current), [current]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const q = text.trim();
    if (!q) return;
    // A new query keeps the filters already chosen on the results page.
    const params = new URLSearchParams(path === '/search' ? search : '');
    params.set('q', q);
    navigate(`/search?${params.toString()}`);
  };

  return (
    <form className="topbar" aria-label="Search" onSubmit={submit}>
      <input
        type="search"
        aria-label="Search everything"
        placeholder="Search conversations, cases, contacts and articles"
        dir="auto"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit">Search</button>
    </form>
  );
}
