import http from 'k6/http';
export const options = {"scenarios":{"max":{"executor":"constant-vus","vus":20,"duration":"6s"}},"discardResponseBodies":true};
export default function () { http.get('http://127.0.0.1:40695/', { tags: { request: 'root', phase: 'steady' } }); }
